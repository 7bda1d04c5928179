using AbuseDesk.Domain.Cases;
using AbuseDesk.Functions.Storage;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Cases;

public sealed record CaseDetail(CaseEntity Case, EvidencePage Evidence, IReadOnlyList<HistoryEntity> History, IReadOnlyList<MailEntity> Mails);

/// <summary>One page of a case's evidence, newest first, and where the next (older) page starts; null at the end.</summary>
public sealed record EvidencePage(IReadOnlyList<EvidenceItem> Items, EvidenceCursor? Next, EvidenceCursor? From);

/// <summary>
/// Where a page of evidence starts: an evidence row's number and how many of its events (newest first) were
/// already shown. It only ever names a position inside the case it is used with: the query stays in that
/// case's partition whatever it says, so a cursor from one case cannot read another.
/// </summary>
public readonly record struct EvidenceCursor(int Row, int Offset)
{
    public override string ToString() => $"{Row}.{Offset}";

    /// <summary>"{row}.{offset}", both whole numbers; anything else is not a cursor.</summary>
    public static bool TryParse(string? text, out EvidenceCursor cursor)
    {
        cursor = default;
        var dot = text?.IndexOf('.') ?? -1;
        if (text is null || text.Length > 20 || dot <= 0
            || !int.TryParse(text.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var row)
            || !int.TryParse(text.AsSpan(dot + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset)
            || offset >= CaseEvidence.MaxItemsPerRow)
        {
            return false;
        }

        cursor = new EvidenceCursor(row, offset);
        return true;
    }
}

/// <summary>
/// Reads cases for ops and the portal. A case's detail is a point read and three key-range reads of its own
/// partition (one page of evidence, history, mails), however many events the case counted.
/// </summary>
public sealed class CaseQueries(DeskStorage storage, TimeProvider clock)
{
    /// <summary>Evidence shown per page unless asked otherwise.</summary>
    public const int EvidencePageSize = 50;

    /// <summary>The largest evidence page anyone may ask for.</summary>
    public const int MaxEvidencePage = 500;

    public async Task<CaseDetail?> DetailAsync(string caseId, CancellationToken cancellationToken, EvidenceCursor? evidenceFrom = null, int evidencePage = EvidencePageSize)
    {
        if (!IsCaseId(caseId))
        {
            return null;
        }

        var state = await storage.Cases.GetEntityIfExistsAsync<CaseEntity>(caseId, CaseEntity.Row, cancellationToken: cancellationToken);
        if (!state.HasValue)
        {
            return null;
        }

        var evidence = EvidenceAsync(state.Value!, evidenceFrom, evidencePage, cancellationToken);
        var history = RangeAsync<HistoryEntity>(caseId, HistoryEntity.Prefix, int.MaxValue, cancellationToken);
        var mails = RangeAsync<MailEntity>(caseId, MailEntity.Prefix, int.MaxValue, cancellationToken);
        return new CaseDetail(state.Value!, await evidence, await history, await mails);
    }

    private static bool IsCaseId(string caseId) => caseId.Length is > 0 and <= 64 && caseId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <summary>
    /// A page of the case's evidence, newest first: one key-range query in the case's partition from the cursor's
    /// row (the newest row when none) through the evidence rows, stopping once the page is full.
    /// </summary>
    public async Task<EvidencePage> EvidenceAsync(CaseEntity state, EvidenceCursor? from, int limit, CancellationToken cancellationToken)
    {
        limit = Math.Clamp(limit, 1, int.MaxValue);
        var caseId = state.PartitionKey;
        var start = from ?? new EvidenceCursor(state.EvidenceRows - 1, 0);
        var items = new List<EvidenceItem>();
        if (start.Row < 0 || start.Row >= state.EvidenceRows)
        {
            return new EvidencePage(items, null, from);
        }

        var lower = EvidenceEntity.RowKeyFor(start.Row);
        var upper = KeyRange.After(EvidenceEntity.Prefix);
        var rows = storage.Cases.QueryAsync<EvidenceEntity>(
            r => r.PartitionKey == caseId && r.RowKey.CompareTo(lower) >= 0 && r.RowKey.CompareTo(upper) < 0,
            maxPerPage: Math.Min(limit, 999) + 1, cancellationToken: cancellationToken);
        await foreach (var row in rows)
        {
            // Newest first: a row's events are stored in report order.
            var events = CaseEvidence.Unpack(row.Events).Reverse().ToList();
            var skip = row.Number == start.Row ? start.Offset : 0;
            for (var i = skip; i < events.Count; i++)
            {
                if (items.Count == limit)
                {
                    return new EvidencePage(items, new EvidenceCursor(row.Number, i), from);
                }

                items.Add(events[i]);
            }

            if (items.Count == limit)
            {
                return new EvidencePage(items, row.Number > 0 ? new EvidenceCursor(row.Number - 1, 0) : null, from);
            }
        }

        return new EvidencePage(items, null, from);
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
