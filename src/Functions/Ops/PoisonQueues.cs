using AbuseDesk.Functions.Storage;
using Azure;
using Azure.Storage.Queues.Models;

namespace AbuseDesk.Functions.Ops;

/// <summary>
/// The "{queue}-poison" queues the trigger runner (and the Functions host in Azure) fills after maxDequeueCount
/// failures: peeked for ops, and requeued one message at a time once the cause is fixed.
/// </summary>
public sealed class PoisonQueues(DeskStorage storage, ILogger<PoisonQueues> logger)
{
    public const int MaxPeek = 32;
    public const int PreviewChars = 1000;

    // How long messages received while looking for one stay hidden from other receivers; released at once after.
    private static readonly TimeSpan SearchVisibility = TimeSpan.FromSeconds(30);
    private const int MaxSearchRounds = 10;

    public static IReadOnlyList<string> SourceQueues { get; } = DeskStorage.QueueNames.Where(q => !q.EndsWith("-poison", StringComparison.Ordinal)).ToArray();

    /// <summary>The source queue a route names, with or without its "-poison" suffix; null when it is not one of ours.</summary>
    public static string? SourceOf(string name)
    {
        var source = name.EndsWith("-poison", StringComparison.Ordinal) ? name[..^"-poison".Length] : name;
        return SourceQueues.Contains(source, StringComparer.Ordinal) ? source : null;
    }

    public sealed record PoisonMessage(string Queue, string MessageId, DateTimeOffset? InsertedOn, DateTimeOffset? ExpiresOn, long DequeueCount, int BodyLength, string BodyPreview, bool Truncated);

    public async Task<List<PoisonMessage>> PeekAsync(IEnumerable<string> sources, int max, CancellationToken cancellationToken)
    {
        var messages = new List<PoisonMessage>();
        foreach (var source in sources)
        {
            var peeked = await storage.Queue(source + "-poison").PeekMessagesAsync(max, cancellationToken);
            messages.AddRange(peeked.Value.Select(m => View(source, m)));
        }

        return messages;
    }

    public async Task<Dictionary<string, long>> CountsAsync(CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var queue in DeskStorage.QueueNames)
        {
            var properties = await storage.Queue(queue).GetPropertiesAsync(cancellationToken);
            counts[queue] = properties.Value.ApproximateMessagesCount;
        }

        return counts;
    }

    /// <summary>
    /// Moves one message back to its source queue: sent there first, then deleted from poison, so a crash in between
    /// yields a duplicate (every handler is idempotent), never a lost message. False when no such message is there
    /// (already requeued, or held by another receiver right now).
    /// </summary>
    public async Task<bool> RequeueAsync(string source, string messageId, CancellationToken cancellationToken)
    {
        var poison = storage.Queue(source + "-poison");
        var held = new List<QueueMessage>();
        try
        {
            for (var round = 0; round < MaxSearchRounds; round++)
            {
                var received = (await poison.ReceiveMessagesAsync(MaxPeek, SearchVisibility, cancellationToken)).Value;
                if (received.Length == 0)
                {
                    return false;
                }

                foreach (var message in received)
                {
                    if (message.MessageId != messageId)
                    {
                        held.Add(message);
                        continue;
                    }

                    await storage.Queue(source).SendMessageAsync(message.Body, cancellationToken: cancellationToken);
                    await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                    logger.LogWarning("Poison message {MessageId} requeued from {Queue}-poison to {Queue}", messageId, source, source);
                    return true;
                }
            }

            return false;
        }
        finally
        {
            foreach (var other in held)
            {
                try
                {
                    await poison.UpdateMessageAsync(other.MessageId, other.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
                }
                catch (RequestFailedException ex)
                {
                    // It reappears by itself when its short visibility ends.
                    logger.LogInformation(ex, "Could not release poison message {MessageId}", other.MessageId);
                }
            }
        }
    }

    private static PoisonMessage View(string source, PeekedMessage m)
    {
        var body = m.Body?.ToString() ?? "";
        var truncated = body.Length > PreviewChars;
        return new PoisonMessage(source + "-poison", m.MessageId, m.InsertedOn, m.ExpiresOn, m.DequeueCount, body.Length, truncated ? body[..PreviewChars] : body, truncated);
    }
}
