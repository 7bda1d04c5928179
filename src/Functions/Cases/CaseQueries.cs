using AbuseDesk.Domain.Cases;
using AbuseDesk.Functions.Parsing;
using AbuseDesk.Functions.Storage;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Cases;

public sealed record CaseDetail(CaseEntity Case, IReadOnlyList<EventEntity> Events, IReadOnlyList<HistoryEntity> History, IReadOnlyList<MailEntity> Mails);

/// <summary>Reads cases for ops and the portal. A case's detail is one partition query.</summary>
public sealed class CaseQueries(DeskStorage storage, TimeProvider clock)
{
    public const int MaxEventsShown = 500;

    public async Task<CaseDetail?> DetailAsync(string caseId, CancellationToken cancellationToken)
    {
        if (caseId.Length is 0 or > 64 || caseId.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-'))
        {
            return null;
        }

        var state = await storage.Cases.GetEntityIfExistsAsync<CaseEntity>(caseId, CaseEntity.RowKeyFor(caseId), cancellationToken: cancellationToken);
        if (!state.HasValue)
        {
            return null;
        }

        var links = await RangeAsync<CaseEventLinkEntity>(caseId, CaseEventLinkEntity.Prefix, int.MaxValue, cancellationToken);
        var events = await EventsAsync(caseId, links, MaxEventsShown, cancellationToken);
        var history = await RangeAsync<HistoryEntity>(caseId, HistoryEntity.Prefix, int.MaxValue, cancellationToken);
        var mails = await RangeAsync<MailEntity>(caseId, MailEntity.Prefix, int.MaxValue, cancellationToken);
        return new CaseDetail(state.Value!, events, history, mails);
    }

    /// <summary>The case's events, newest chunks first: each link names a report chunk whose partition holds them.</summary>
    private async Task<List<EventEntity>> EventsAsync(string caseId, List<CaseEventLinkEntity> links, int limit, CancellationToken cancellationToken)
    {
        var events = new List<EventEntity>();
        foreach (var link in links.OrderByDescending(l => l.Timestamp))
        {
            var partition = EventEntity.PartitionFor(link.ReportId, link.Chunk);
            await foreach (var row in storage.Events.QueryAsync<EventEntity>(e => e.PartitionKey == partition && e.CaseId == caseId, cancellationToken: cancellationToken))
            {
                events.Add(row);
                if (events.Count >= limit)
                {
                    return events;
                }
            }
        }

        return events;
    }

    /// <summary>The rows of one kind in a case partition: their row keys share a prefix ("h|", "e|", "m|").</summary>
    private async Task<List<T>> RangeAsync<T>(string caseId, string prefix, int limit, CancellationToken cancellationToken)
        where T : class, ITableEntity, new()
    {
        var end = KeyRange.After(prefix);
        var rows = new List<T>();
        await foreach (var row in storage.Cases.QueryAsync<T>(r => r.PartitionKey == caseId && r.RowKey.CompareTo(prefix) >= 0 && r.RowKey.CompareTo(end) < 0, cancellationToken: cancellationToken))
        {
            rows.Add(row);
            if (rows.Count >= limit)
            {
                break;
            }
        }

        return rows;
    }

    public sealed record CaseFilter(string? Status, string? CustomerId, string? AbuseClass, bool Overdue, int Limit, string? Continuation);

    /// <summary>Lists case state rows with the CONTRACT filters; a page holds at most <c>Limit</c> cases.</summary>
    public async Task<(List<CaseEntity> Cases, string? Continuation)> ListAsync(CaseFilter filter, CancellationToken cancellationToken)
    {
        var clauses = new List<string> { CaseEntity.StateRows };
        if (!string.IsNullOrEmpty(filter.Status))
        {
            clauses.Add(TableClient.CreateQueryFilter($"Status eq {filter.Status}"));
        }

        if (!string.IsNullOrEmpty(filter.CustomerId))
        {
            clauses.Add(TableClient.CreateQueryFilter($"CustomerId eq {filter.CustomerId}"));
        }

        if (!string.IsNullOrEmpty(filter.AbuseClass))
        {
            clauses.Add(TableClient.CreateQueryFilter($"AbuseClass eq {filter.AbuseClass}"));
        }

        if (filter.Overdue)
        {
            clauses.Add(TableClient.CreateQueryFilter($"Deadline lt {clock.GetUtcNow()}"));
            clauses.Add(TableClient.CreateQueryFilter($"Status eq {CaseStatus.Notified.ToWireName()}"));
        }

        var query = storage.Cases.QueryAsync<CaseEntity>(string.Join(" and ", clauses), maxPerPage: filter.Limit, cancellationToken: cancellationToken);
        await foreach (var page in query.AsPages(filter.Continuation, filter.Limit))
        {
            return (page.Values.ToList(), page.ContinuationToken);
        }

        return ([], null);
    }
}
