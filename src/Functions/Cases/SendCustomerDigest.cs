using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Notifications;
using AbuseDesk.Functions.Notifications;
using AbuseDesk.Functions.Portal;
using AbuseDesk.Functions.Storage;
using Azure;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Cases;

/// <summary>The cases a digest told about, each at the event count it told of, and when the next digest may go.</summary>
public sealed record DigestSent(DateTimeOffset At, IReadOnlyList<DigestCovered> Covered, DateTimeOffset? NextDueAt);

public sealed record DigestCovered(string CaseId, int EventCount);

/// <summary>
/// One step of a customer's digest orchestration: at most one digest mail per customer per digest window, listing
/// every open case with news. The customer's row (PK "customer|{id}", in the cases table so the mail and its outbox
/// commit with it) says when the last digest went, which cases it covered, and which step sent it: the engine runs
/// a step at least once, and a step that finds its own id answers as it did, so the mail goes once and the cases
/// are told (by the orchestration, <see cref="CustomerDigestSent"/>) whatever crashes in between.
/// </summary>
public sealed class SendCustomerDigest(
    DeskStorage storage,
    CaseOutbox outbox,
    PlaybookSet playbooks,
    CaseLinks links,
    Ownership.CustomerContacts contacts,
    TimeProvider clock,
    ILogger<SendCustomerDigest> logger)
{
    /// <summary>A digest lists at most this many cases; the rest stay pending for the next window.</summary>
    public const int MaxCases = 100;

    private const int MaxAttempts = 20;

    /// <summary>Timers may fire a little early; within this they count as due.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);

    private const string PartitionPrefix = "customer|";

    public static string PartitionFor(string customerId) => PartitionPrefix + customerId;

    /// <summary>The customer whose digest partition this is, or null for a case partition.</summary>
    public static string? CustomerOf(string partition) =>
        partition.StartsWith(PartitionPrefix, StringComparison.Ordinal) ? partition[PartitionPrefix.Length..] : null;

    public async Task<DigestSent> RunAsync(string customerId, string stepId, CancellationToken cancellationToken)
    {
        var partition = PartitionFor(customerId);
        for (var attempt = 1; ; attempt++)
        {
            var row = await LoadAsync(partition, customerId, cancellationToken);
            if (row.LastStep == stepId)
            {
                // This step sent its digest and died before answering: send what is unsent, answer the same.
                await outbox.FlushAsync(partition, cancellationToken);
                return Sent(row);
            }

            try
            {
                return await DecideAsync(row, stepId, cancellationToken);
            }
            catch (Azure.RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Another run for this customer got there first: read again and decide again.
                await Task.Delay(Random.Shared.Next(5, 10 * attempt), cancellationToken);
            }
        }
    }

    private static DigestSent Sent(CustomerDigestEntity row) => new(
        row.LastSentAt ?? DateTimeOffset.MinValue,
        [.. (row.Covered ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')).Select(p => new DigestCovered(p[0], int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)))],
        row.NextDueAt);

    private async Task<DigestSent> DecideAsync(CustomerDigestEntity row, string stepId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var opensAt = row.LastSentAt is { } last ? last + playbooks.DigestWindow : DateTimeOffset.MinValue;
        if (now + Slack < opensAt)
        {
            // Within the window of the last digest: the orchestration waits for the window's end, and the row says
            // so (ops read it there).
            if (row.NextDueAt != opensAt)
            {
                row.NextDueAt = opensAt;
                await CommitAsync(row, [], cancellationToken);
            }

            return new DigestSent(now, [], opensAt);
        }

        var news = await CasesWithNewsAsync(row.CustomerId, cancellationToken);
        if (news.Count == 0)
        {
            if (row.NextDueAt is not null)
            {
                row.NextDueAt = null;
                await CommitAsync(row, [], cancellationToken);
            }

            return new DigestSent(now, [], null);
        }

        var listed = news.OrderBy(c => c.State.CaseId, StringComparer.Ordinal).Take(MaxCases).ToList();
        var items = listed.Select(c => new DigestItem(c.State, links.PortalUrl(c.State.CaseId), c.State.EventCount - c.State.EventsAtLastNotice)).ToList();
        var content = CaseMail.ComposeCustomerDigest(items, listed[0].Language);
        var mailRow = RowKeys.Numbered(MailEntity.Prefix, ++row.Sequence);
        var mail = new MailEntity
        {
            PartitionKey = row.PartitionKey,
            RowKey = mailRow,
            Kind = "CustomerDigest",
            To = await contacts.ConfirmedAsync(row.CustomerId, cancellationToken) ?? listed[0].ContactEmail,
            Subject = content.Subject,
            TextBody = content.Text,
            HtmlBody = content.Html,
            MessageId = $"digest.{row.CustomerId}.{row.Sequence:D6}",
        };
        var queued = new OutboxEntity
        {
            PartitionKey = row.PartitionKey,
            RowKey = RowKeys.Numbered(OutboxEntity.Prefix, ++row.Sequence),
            Queue = DeskStorage.EmailOutboxQueue,
            Body = Json.Serialize(new EmailRequest(row.PartitionKey, mailRow)),
        };
        row.LastSentAt = now;
        row.Covered = string.Join("\n", listed.Select(c => $"{c.State.CaseId} {c.State.EventCount}"));
        row.LastStep = stepId;
        // More cases than one mail should carry: the rest go in the next window's digest.
        row.NextDueAt = news.Count > listed.Count ? now + playbooks.DigestWindow : null;
        await CommitAsync(row, [mail, queued], cancellationToken);
        logger.LogInformation("Digest for customer {CustomerId}: {Cases} case(s) with news", row.CustomerId, listed.Count);
        await outbox.SendAsync(queued, cancellationToken);
        return Sent(row);
    }

    /// <summary>Open, notified cases of the customer whose event count is ahead of what the customer was told.</summary>
    private async Task<List<CaseNews>> CasesWithNewsAsync(string customerId, CancellationToken cancellationToken)
    {
        var caseIds = new List<string>();
        await foreach (var index in storage.OpenCases.QueryAsync<OpenCaseEntity>(i => i.PartitionKey == customerId, cancellationToken: cancellationToken))
        {
            caseIds.Add(index.CaseId);
        }

        var news = new System.Collections.Concurrent.ConcurrentBag<CaseNews>();
        await Parallel.ForEachAsync(caseIds.Distinct(), Parallelism.For(cancellationToken), async (caseId, ct) =>
        {
            if (await CaseEntity.LoadAsync(storage.Cases, caseId, ct) is not { } entity)
            {
                return;
            }

            var state = entity.ToState();
            if (state.Status.IsOpen() && (state.LastNoticeAt ?? state.NotifiedAt) is not null && state.EventCount > state.EventsAtLastNotice
                && playbooks.For(state.AbuseClass).Notify)
            {
                news.Add(new CaseNews(state, entity.ContactEmail, entity.Language ?? "en"));
            }
        });
        return [.. news];
    }

    private async Task<CustomerDigestEntity> LoadAsync(string partition, string customerId, CancellationToken cancellationToken)
    {
        var existing = await storage.Cases.GetEntityIfExistsAsync<CustomerDigestEntity>(partition, CustomerDigestEntity.Row, cancellationToken: cancellationToken);
        return existing.HasValue ? existing.Value! : new CustomerDigestEntity { PartitionKey = partition, RowKey = CustomerDigestEntity.Row, CustomerId = customerId, ETag = default };
    }

    /// <summary>Writes the customer row (added or ETag-guarded) with its mail and outbox rows in one transaction.</summary>
    private async Task CommitAsync(CustomerDigestEntity row, IReadOnlyList<ITableEntity> rows, CancellationToken cancellationToken)
    {
        var actions = new List<TableTransactionAction>
        {
            row.ETag == default
                ? new TableTransactionAction(TableTransactionActionType.Add, row)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, row.ETag),
        };
        actions.AddRange(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)));
        // A lost race surfaces as TableTransactionFailedException, a RequestFailedException: RunAsync decides again.
        var responses = (await storage.Cases.SubmitTransactionAsync(actions, cancellationToken)).Value;
        row.ETag = responses[0].Headers.ETag ?? row.ETag;
        for (var i = 1; i < actions.Count; i++)
        {
            actions[i].Entity.ETag = responses[i].Headers.ETag ?? ETag.All;
        }
    }

    private sealed record CaseNews(CaseState State, string ContactEmail, string Language);
}
