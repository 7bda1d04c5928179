using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Notifications;
using AbuseDesk.Functions.Notifications;
using AbuseDesk.Functions.Portal;
using AbuseDesk.Functions.Storage;
using Azure;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Cases;

/// <summary>
/// case-workflow "customer-digest": at most one digest mail per customer per digest window, listing every open
/// case with news. Cases ask for it when their own window closes; the customer's row (PK "customer|{id}", in
/// the cases table so the mail and its outbox commit with it) says when the last digest went and which cases
/// it covered. The mail commits first; then each covered case is told (<see cref="CustomerDigestSent"/>, idempotent),
/// and only then is the digest marked finished, so a crash in between finishes the work on the next message.
/// </summary>
public sealed class SendCustomerDigest(
    DeskStorage storage,
    CaseTransitions transitions,
    PlaybookSet playbooks,
    CaseLinks links,
    TimeProvider clock,
    ILogger<SendCustomerDigest> logger)
{
    /// <summary>A digest lists at most this many cases; the rest stay pending for the next window.</summary>
    public const int MaxCases = 100;

    private const int MaxAttempts = 20;

    /// <summary>Timers may surface a little early; within this they count as due.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);

    private const string PartitionPrefix = "customer|";

    public static string PartitionFor(string customerId) => PartitionPrefix + customerId;

    /// <summary>The customer whose digest partition this is, or null for a case partition.</summary>
    public static string? CustomerOf(string partition) =>
        partition.StartsWith(PartitionPrefix, StringComparison.Ordinal) ? partition[PartitionPrefix.Length..] : null;

    public async Task RunAsync(string customerId, CancellationToken cancellationToken, bool recovering = false)
    {
        var partition = PartitionFor(customerId);
        for (var attempt = 1; ; attempt++)
        {
            var row = await LoadAsync(partition, customerId, cancellationToken);
            if (row.Covered is not null && !row.CoveredDone)
            {
                row = await FinishAsync(row, cancellationToken);
            }

            if (recovering)
            {
                await transitions.FlushOutboxAsync(partition, cancellationToken);
            }

            try
            {
                await DecideAsync(row, cancellationToken);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Another delivery for this customer got there first: read again and decide again.
                await Task.Delay(Random.Shared.Next(5, 10 * attempt), cancellationToken);
            }
        }
    }

    private async Task DecideAsync(CustomerDigestEntity row, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var opensAt = row.LastSentAt is { } last ? last + playbooks.DigestWindow : DateTimeOffset.MinValue;
        if (now + Slack < opensAt)
        {
            // Within the window of the last digest: one timer for the window's end collects everything.
            if (row.NextDueAt is { } armed && armed <= opensAt)
            {
                return;
            }

            row.NextDueAt = opensAt;
            await CommitAsync(row, [ArmAt(row, opensAt)], cancellationToken);
            return;
        }

        var news = await CasesWithNewsAsync(row.CustomerId, cancellationToken);
        if (news.Count == 0)
        {
            if (row.NextDueAt is not null)
            {
                row.NextDueAt = null;
                await CommitAsync(row, [], cancellationToken);
            }

            return;
        }

        var listed = news.OrderBy(c => c.State.CaseId, StringComparer.Ordinal).Take(MaxCases).ToList();
        var items = listed.Select(c => new DigestItem(c.State, links.PortalUrl(c.State.CaseId), c.State.EventCount - c.State.EventsAtLastNotice)).ToList();
        var content = CaseMail.ComposeCustomerDigest(items, listed[0].Language);
        var mailRow = RowKeys.Numbered(row.PartitionKey, MailEntity.Prefix, ++row.Sequence);
        var mail = new MailEntity
        {
            PartitionKey = row.PartitionKey,
            RowKey = mailRow,
            Kind = "CustomerDigest",
            To = listed[0].ContactEmail,
            Subject = content.Subject,
            TextBody = content.Text,
            HtmlBody = content.Html,
            MessageId = $"digest.{row.CustomerId}.{row.Sequence:D6}",
        };
        var outbox = new List<OutboxEntity> { NewOutbox(row, DeskStorage.EmailOutboxQueue, Json.Serialize(new EmailRequest(row.PartitionKey, mailRow)), null) };
        row.LastSentAt = now;
        row.Covered = string.Join("\n", listed.Select(c => $"{c.State.CaseId} {c.State.EventCount}"));
        row.CoveredDone = false;
        row.NextDueAt = null;
        if (news.Count > listed.Count)
        {
            // More cases than one mail should carry: the rest go in the next window's digest.
            row.NextDueAt = now + playbooks.DigestWindow;
            outbox.Add(ArmAt(row, row.NextDueAt.Value));
        }

        await CommitAsync(row, [mail, .. outbox], cancellationToken);
        logger.LogInformation("Digest for customer {CustomerId}: {Cases} case(s) with news", row.CustomerId, listed.Count);
        await FinishAsync(row, cancellationToken);
    }

    /// <summary>Tells every covered case the digest went out, then marks the digest finished.</summary>
    private async Task<CustomerDigestEntity> FinishAsync(CustomerDigestEntity row, CancellationToken cancellationToken)
    {
        var at = row.LastSentAt ?? clock.GetUtcNow();
        foreach (var line in (row.Covered ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            try
            {
                await transitions.ApplyAsync(parts[0], new CustomerDigestSent(at, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)), cancellationToken);
            }
            catch (CaseNotFoundException)
            {
                logger.LogWarning("Digest for customer {CustomerId} covered case {CaseId}, which no longer exists", row.CustomerId, parts[0]);
            }
        }

        row.CoveredDone = true;
        try
        {
            var response = await storage.Cases.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
            row.ETag = response.Headers.ETag ?? row.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // Another delivery finished it too (the case inputs are idempotent); its row is the one to use.
            row = await LoadAsync(row.PartitionKey, row.CustomerId, cancellationToken);
        }

        return row;
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
            if (await transitions.LoadAsync(caseId, ct) is not { } entity)
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
        var existing = await storage.Cases.GetEntityIfExistsAsync<CustomerDigestEntity>(partition, CustomerDigestEntity.RowKeyFor(partition), cancellationToken: cancellationToken);
        return existing.HasValue ? existing.Value! : new CustomerDigestEntity { PartitionKey = partition, RowKey = CustomerDigestEntity.RowKeyFor(partition), CustomerId = customerId, ETag = default };
    }

    /// <summary>Writes the customer row (added or ETag-guarded) with its outbox rows in one transaction, then sends them.</summary>
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

        await transitions.SendAllAsync([.. rows.OfType<OutboxEntity>()], cancellationToken);
    }

    private static OutboxEntity ArmAt(CustomerDigestEntity row, DateTimeOffset dueAt) =>
        NewOutbox(row, DeskStorage.CaseWorkflowQueue, Json.Serialize(new CaseWorkflowMessage(row.PartitionKey, CaseWorkflowMessage.CustomerDigest, DueAt: dueAt, CustomerId: row.CustomerId)), dueAt);

    private static OutboxEntity NewOutbox(CustomerDigestEntity row, string queue, string body, DateTimeOffset? dueAt) =>
        new() { PartitionKey = row.PartitionKey, RowKey = RowKeys.Numbered(row.PartitionKey, OutboxEntity.Prefix, ++row.Sequence), Queue = queue, Body = body, DueAt = dueAt };

    private sealed record CaseNews(CaseState State, string ContactEmail, string Language);
}
