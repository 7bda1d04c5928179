using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Intake;
using AbuseDesk.Functions.Parsing;
using AbuseDesk.Functions.Storage;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Ops;

/// <summary>
/// Reads for the ops work queues that are not cases: reports that failed, and where unrouted events come from.
/// Everything is a filtered query over report rows; event rows are only sampled, for the reasons.
/// </summary>
public sealed class WorkQueues(DeskStorage storage)
{
    /// <summary>Above this many rows a summary count stops and says so, instead of scanning on.</summary>
    public const int CountCap = 10_000;

    /// <summary>Event rows read to break unrouted events down by reason; the report counts are exact regardless.</summary>
    public const int MaxEventsSampled = 20_000;

    public Task<(List<ReportEntity> Reports, string? Continuation)> FailedReportsAsync(int limit, string? continuation, CancellationToken cancellationToken) =>
        ReportsAsync(ReportStatus.Failed, limit, continuation, cancellationToken);

    /// <summary>Mails set aside as no report (bounces, auto-replies): not work, but ops check now and then that no report is among them.</summary>
    public Task<(List<ReportEntity> Reports, string? Continuation)> IgnoredReportsAsync(int limit, string? continuation, CancellationToken cancellationToken) =>
        ReportsAsync(ReportStatus.Ignored, limit, continuation, cancellationToken);

    private async Task<(List<ReportEntity> Reports, string? Continuation)> ReportsAsync(string status, int limit, string? continuation, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey eq {ReportEntity.Row} and Status eq {status}");
        await foreach (var page in storage.Reports.QueryAsync<ReportEntity>(filter, maxPerPage: limit, cancellationToken: cancellationToken).AsPages(continuation, limit))
        {
            return (page.Values.ToList(), page.ContinuationToken);
        }

        return ([], null);
    }

    public sealed record UnroutedByReporter(string ReporterId, int Reports, long Events, DateTimeOffset LastReceivedAt, Dictionary<string, long> Reasons);

    public async Task<(List<UnroutedByReporter> Reporters, bool ReasonsSampled)> UnroutedAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey eq {ReportEntity.Row} and ReceivedAt ge {since} and UnroutedCount gt {0}");
        var reports = new List<(string ReportId, string ReporterId, int Unrouted, DateTimeOffset ReceivedAt)>();
        await foreach (var row in storage.Reports.QueryAsync<ReportEntity>(filter, select: ["PartitionKey", "ReporterId", "UnroutedCount", "ReceivedAt"], cancellationToken: cancellationToken))
        {
            reports.Add((row.PartitionKey, row.ReporterId, row.UnroutedCount, row.ReceivedAt));
        }

        // Newest reports first: when the sample runs out, it covers what is happening now.
        var reasons = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
        var scanned = 0;
        var sampled = false;
        foreach (var report in reports.OrderByDescending(r => r.ReceivedAt))
        {
            if (scanned >= MaxEventsSampled)
            {
                sampled = true;
                break;
            }

            var byReason = reasons.TryGetValue(report.ReporterId, out var known) ? known : reasons[report.ReporterId] = new(StringComparer.Ordinal);
            var (from, to) = EventEntity.PartitionsOf(report.ReportId);
            await foreach (var row in storage.Events.QueryAsync<TableEntity>(e => e.PartitionKey.CompareTo(from) >= 0 && e.PartitionKey.CompareTo(to) < 0, select: ["UnroutedReason"], cancellationToken: cancellationToken))
            {
                if (++scanned > MaxEventsSampled)
                {
                    sampled = true;
                    break;
                }

                if (row.GetString("UnroutedReason") is { Length: > 0 } reason)
                {
                    byReason[reason] = byReason.GetValueOrDefault(reason) + 1;
                }
            }
        }

        var grouped = reports
            .GroupBy(r => r.ReporterId, StringComparer.Ordinal)
            .Select(g => new UnroutedByReporter(g.Key, g.Count(), g.Sum(r => (long)r.Unrouted), g.Max(r => r.ReceivedAt), reasons.GetValueOrDefault(g.Key) ?? []))
            .OrderByDescending(r => r.Events)
            .ToList();
        return (grouped, sampled);
    }

    /// <summary>Cases waiting for a person, by status; capped so a backlog cannot turn a summary into a scan.</summary>
    public async Task<Dictionary<string, int>> CaseCountsAsync(IReadOnlyList<string> statuses, CancellationToken cancellationToken)
    {
        var counts = statuses.ToDictionary(s => s, _ => 0, StringComparer.Ordinal);
        var filter = CaseEntity.StateRows + " and (" +
            string.Join(" or ", statuses.Select(s => TableClient.CreateQueryFilter($"Status eq {s}"))) + ")";
        var seen = 0;
        await foreach (var row in storage.Cases.QueryAsync<TableEntity>(filter, select: ["Status"], cancellationToken: cancellationToken))
        {
            if (++seen > CountCap)
            {
                break;
            }

            var status = row.GetString("Status");
            counts[status] = counts.GetValueOrDefault(status) + 1;
        }

        return counts;
    }

    public async Task<int> FailedReportCountAsync(CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey eq {ReportEntity.Row} and Status eq {ReportStatus.Failed}");
        var count = 0;
        await foreach (var _ in storage.Reports.QueryAsync<TableEntity>(filter, select: ["PartitionKey"], cancellationToken: cancellationToken))
        {
            if (++count >= CountCap)
            {
                break;
            }
        }

        return count;
    }
}
