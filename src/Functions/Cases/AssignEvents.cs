using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Functions.Parsing;
using AbuseDesk.Functions.Storage;
using Azure;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Cases;

/// <summary>
/// Attaches a report's routed events to cases: one open case per customer, resource and abuse class.
/// The open-case index row is the lock that stops two workers opening two cases for the same key; the
/// per-event link rows, added in the same transaction as the case's new count, make attaching idempotent.
/// </summary>
public sealed class AssignEvents(DeskStorage storage, TimeProvider clock, ILogger<AssignEvents> logger)
{
    private const int LinksPerTransaction = 99;
    private const int MaxAttempts = 20;

    public async Task AssignAsync(string reportId, IReadOnlyList<RoutedEvent> routed, CancellationToken cancellationToken)
    {
        var workflow = storage.Queue(DeskStorage.CaseWorkflowQueue);
        foreach (var group in CaseAssignment.Group(routed))
        {
            var caseId = await AttachAsync(reportId, group, cancellationToken);

            var updates = group.Events.Select(e => new TableEntity(reportId, EventEntity.RowKeyFor(e.Index)) { ["CaseId"] = caseId });
            foreach (var batch in updates.Chunk(100))
            {
                await storage.Events.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpdateMerge, e, ETag.All)), cancellationToken);
            }

            // Sent on every run, also a redelivered one: the workflow ignores what it has already done.
            await workflow.SendMessageAsync(Json.Serialize(new CaseWorkflowMessage(caseId, CaseWorkflowMessage.EventsAdded)), cancellationToken);
        }
    }

    private async Task<string> AttachAsync(string reportId, CaseGroup group, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryAttachAsync(reportId, group, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Another worker changed the case or the index first: read again and redo.
                logger.LogDebug("Attach race on {Customer}/{Key} (attempt {Attempt})", group.Key.CustomerId, group.Key.IndexKey, attempt);
                await Task.Delay(Random.Shared.Next(5, 20 * attempt), cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                logger.LogDebug("Attach transaction race on {Customer}/{Key} (attempt {Attempt})", group.Key.CustomerId, group.Key.IndexKey, attempt);
                await Task.Delay(Random.Shared.Next(5, 20 * attempt), cancellationToken);
            }
        }
    }

    private async Task<string> TryAttachAsync(string reportId, CaseGroup group, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var key = group.Key;
        var index = await storage.OpenCases.GetEntityIfExistsAsync<OpenCaseEntity>(key.CustomerId, key.IndexKey, cancellationToken: cancellationToken);
        string caseId;
        CaseEntity? existing = null;
        if (index.HasValue)
        {
            caseId = index.Value!.CaseId;
            var row = await storage.Cases.GetEntityIfExistsAsync<CaseEntity>(caseId, CaseEntity.Row, cancellationToken: cancellationToken);
            existing = row.HasValue ? row.Value : null;
            if (existing is not null && !existing.ToState().Status.IsOpen())
            {
                // The case ended: retire its index row (only if nobody replaced it meanwhile) and open a new one.
                await storage.OpenCases.DeleteEntityAsync(key.CustomerId, key.IndexKey, index.Value.ETag, cancellationToken);
                throw new RequestFailedException(409, "open-case index retired; retry");
            }
        }
        else
        {
            caseId = CaseAssignment.NewCaseId(key, reportId, group.Events[0].Index, now);
            await storage.OpenCases.AddEntityAsync(new OpenCaseEntity { PartitionKey = key.CustomerId, RowKey = key.IndexKey, CaseId = caseId }, cancellationToken);
        }

        var linked = await LinkedEventRowsAsync(caseId, reportId, cancellationToken);
        var fresh = group.Events.Where(e => !linked.Contains(EventEntity.RowKeyFor(e.Index))).ToList();
        if (fresh.Count == 0 && existing is not null)
        {
            return caseId;
        }

        var caseRow = existing ?? NewCase(caseId, group, now);
        var isNew = existing is null;
        foreach (var chunk in fresh.Chunk(LinksPerTransaction).DefaultIfEmpty([]))
        {
            caseRow.EventCount += chunk.Length;
            var latest = chunk.Select(e => e.Event.OccurredAt ?? now).DefaultIfEmpty(now).Max();
            caseRow.LastEventAt = caseRow.LastEventAt is { } last && last > latest ? last : latest;

            var actions = new List<TableTransactionAction>
            {
                isNew
                    ? new TableTransactionAction(TableTransactionActionType.Add, caseRow)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, caseRow, caseRow.ETag),
            };
            actions.AddRange(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Add, Link(caseId, reportId, e))));
            var response = await storage.Cases.SubmitTransactionAsync(actions, cancellationToken);
            caseRow.ETag = response.Value[0].Headers.ETag ?? caseRow.ETag;
            isNew = false;
        }

        return caseId;
    }

    private async Task<HashSet<string>> LinkedEventRowsAsync(string caseId, string reportId, CancellationToken cancellationToken)
    {
        var from = $"{CaseEventLinkEntity.Prefix}{reportId}|";
        var to = $"{CaseEventLinkEntity.Prefix}{reportId}}}";
        var rows = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var link in storage.Cases.QueryAsync<CaseEventLinkEntity>(
            l => l.PartitionKey == caseId && l.RowKey.CompareTo(from) >= 0 && l.RowKey.CompareTo(to) < 0,
            select: ["RowKey", "EventRow"], cancellationToken: cancellationToken))
        {
            rows.Add(link.EventRow);
        }

        return rows;
    }

    private static CaseEntity NewCase(string caseId, CaseGroup group, DateTimeOffset now) => new()
    {
        PartitionKey = caseId,
        RowKey = CaseEntity.Row,
        CustomerId = group.Key.CustomerId,
        ResourceId = group.Key.ResourceId,
        AbuseClass = group.Key.AbuseClass.ToWireName(),
        ContactEmail = group.Allocation.ContactEmail,
        CustomerSince = new DateTimeOffset(group.Allocation.CustomerSince.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
        Ip = group.Events[0].Event.Ip,
        Status = CaseStatus.New.ToWireName(),
        OpenedAt = now,
    };

    private static CaseEventLinkEntity Link(string caseId, string reportId, RoutedEvent e) => new()
    {
        PartitionKey = caseId,
        RowKey = $"{CaseEventLinkEntity.Prefix}{reportId}|{EventEntity.RowKeyFor(e.Index)}",
        ReportId = reportId,
        EventRow = EventEntity.RowKeyFor(e.Index),
        Ip = e.Event.Ip,
        Url = e.Event.Url,
        ReportType = e.Event.ReportType,
        OccurredAt = e.Event.OccurredAt,
        Evidence = ReportEvent.BoundEvidence(e.Event.Evidence),
    };
}
