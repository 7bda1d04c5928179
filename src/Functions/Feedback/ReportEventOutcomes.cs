using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Feedback;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Parsing;
using AbuseDesk.Functions.Portal;
using AbuseDesk.Functions.Storage;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Feedback;

/// <summary>
/// The per-event part of GET /api/reports/{id}: one page of the report's events, each with what became of it. What a
/// reporter may see: what they reported, the outcome, the case's status and a reference that groups events of one case
/// within this report. Never the customer, the resource, the contact or the case id (see <see cref="EventOutcomes.CaseReference"/>).
/// </summary>
public sealed class ReportEventOutcomes(DeskStorage storage, CaseLinks links)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public sealed record Page(IReadOnlyList<object> Events, bool Truncated, int? NextFrom);

    /// <summary>Reads <c>?from=</c> (the first event index) and <c>?limit=</c>; null and a problem detail when either is not a valid number.</summary>
    public static (int From, int Limit)? Paging(IQueryCollection query, out string? problem)
    {
        problem = null;
        var from = 0;
        var limit = DefaultLimit;
        if (query["from"].FirstOrDefault() is { } fromText && (!int.TryParse(fromText, out from) || from < 0))
        {
            problem = "'from' must be an event index (0 or more).";
            return null;
        }

        if (query["limit"].FirstOrDefault() is { } limitText && (!int.TryParse(limitText, out limit) || limit is < 1 or > MaxLimit))
        {
            problem = $"'limit' must be a whole number from 1 to {MaxLimit}.";
            return null;
        }

        return (from, limit);
    }

    public async Task<Page> ReadAsync(string reportId, int from, int limit, CancellationToken cancellationToken)
    {
        // Row keys are the event's index in the whole report, so "from N on" is one range over the chunk partitions.
        var first = EventEntity.PartitionFor(reportId, from / ParseReport.ChunkSize);
        var (_, to) = EventEntity.PartitionsOf(reportId);
        var fromRow = EventEntity.RowKeyFor(from);
        var rows = new List<EventEntity>();
        await foreach (var row in storage.Events.QueryAsync<EventEntity>(
            e => e.PartitionKey.CompareTo(first) >= 0 && e.PartitionKey.CompareTo(to) < 0 && e.RowKey.CompareTo(fromRow) >= 0,
            maxPerPage: Math.Min(limit + 1, 1000), cancellationToken: cancellationToken))
        {
            rows.Add(row);
            if (rows.Count > limit)
            {
                break;
            }
        }

        var truncated = rows.Count > limit;
        if (truncated)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        var statuses = await StatusesAsync(rows.Select(r => r.CaseId).OfType<string>().Distinct(StringComparer.Ordinal), cancellationToken);
        var key = links.ActiveKey;
        var events = rows.Select(e =>
        {
            CaseStatus? status = e.CaseId is { } id && statuses.TryGetValue(id, out var s) ? s : null;
            return (object)new
            {
                eventId = e.EventId,
                index = int.Parse(e.RowKey, System.Globalization.CultureInfo.InvariantCulture),
                ip = e.Ip,
                port = e.Port,
                url = e.Url,
                abuseClass = e.AbuseClass,
                reportType = e.ReportType,
                occurredAt = e.OccurredAt,
                outcome = EventOutcomes.For(e.CaseId is null ? e.UnroutedReason : null, status),
                caseStatus = status?.ToWireName(),
                caseRef = e.CaseId is { } caseId ? EventOutcomes.CaseReference(reportId, caseId, key) : null,
            };
        }).ToList();
        return new Page(events, truncated, truncated ? from + rows.Count : null);
    }

    private async Task<Dictionary<string, CaseStatus>> StatusesAsync(IEnumerable<string> caseIds, CancellationToken cancellationToken)
    {
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<string, CaseStatus>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(caseIds, Parallelism.For(cancellationToken), async (caseId, ct) =>
        {
            var row = await storage.Cases.GetEntityIfExistsAsync<TableEntity>(caseId, CaseEntity.Row, select: [nameof(CaseEntity.Status)], cancellationToken: ct);
            if (row.HasValue && CaseStatuses.TryParse(row.Value!.GetString(nameof(CaseEntity.Status)), out var status))
            {
                statuses[caseId] = status;
            }
        });
        return new Dictionary<string, CaseStatus>(statuses, StringComparer.Ordinal);
    }
}
