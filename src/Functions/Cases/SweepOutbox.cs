using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Cases;

/// <summary>
/// Timer (every five minutes): sends outbox rows that a crash left unsent. Queue-driven work recovers on its own
/// (a redelivered message flushes its case); this catches the rest, e.g. a portal or ops request whose process
/// died between the commit and the send. Rows younger than a minute are left to their own request. Mails claimed
/// in their commit and never sent (their claim ran out a minute ago) are handed to the mail queue too.
/// </summary>
public sealed class SweepOutbox(DeskStorage storage, CaseTransitions transitions, TimeProvider clock, ILogger<SweepOutbox> logger)
{
    private static readonly string OutboxEnd = KeyRange.After(OutboxEntity.Prefix);

    public async Task RunAsync(TriggerInput input, CancellationToken cancellationToken)
    {
        var settled = clock.GetUtcNow().AddMinutes(-1);
        var swept = 0;
        await foreach (var item in storage.Cases.QueryAsync<OutboxEntity>(
            o => o.RowKey.CompareTo(OutboxEntity.Prefix) >= 0 && o.RowKey.CompareTo(OutboxEnd) < 0 && o.Sent == false && o.Timestamp < settled,
            cancellationToken: cancellationToken))
        {
            await transitions.SendAsync(item, cancellationToken);
            swept++;
        }

        swept += await transitions.QueueAbandonedMailsAsync(cancellationToken);
        if (swept > 0)
        {
            logger.LogWarning("Swept {Count} outbox message(s) a crash had left unsent", swept);
        }
    }
}
