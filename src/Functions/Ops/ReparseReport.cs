using AbuseDesk.Functions.Intake;
using AbuseDesk.Functions.Parsing;
using AbuseDesk.Functions.Storage;
using Azure;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Ops;

/// <summary>
/// Runs parsing of a stored report again, after a parser fix. The raw bytes never changed; the old events are
/// removed and the report is queued as if just received. Attaching is idempotent per report chunk and case,
/// so cases are neither duplicated nor double-counted.
/// </summary>
public sealed class ReparseReport(DeskStorage storage, ILogger<ReparseReport> logger)
{
    public async Task<ReportEntity?> RunAsync(string reportId, CancellationToken cancellationToken)
    {
        var found = await storage.Reports.GetEntityIfExistsAsync<ReportEntity>(reportId, ReportEntity.Row, cancellationToken: cancellationToken);
        if (!found.HasValue)
        {
            return null;
        }

        var report = found.Value!;
        await DeleteEventsAsync(reportId, cancellationToken);
        report.Status = ReportStatus.Received;
        report.Format = null;
        report.Error = null;
        report.Notes = null;
        report.Checked = false;
        report.UrlHostsNotLookedUp = 0;
        report.ChunksDone = 0;
        report.EventCount = 0;
        report.RoutedCount = 0;
        report.UnroutedCount = 0;
        report.Reparses++;
        await storage.Reports.UpdateEntityAsync(report, ETag.All, TableUpdateMode.Replace, cancellationToken);
        await storage.Queue(DeskStorage.ReportsParseQueue).SendMessageAsync(Json.Serialize(new ParseRequest(reportId)), cancellationToken);
        logger.LogInformation("Report {ReportId} queued for reparse #{Count}", reportId, report.Reparses);
        return report;
    }

    private async Task DeleteEventsAsync(string reportId, CancellationToken cancellationToken)
    {
        var (from, to) = EventEntity.PartitionsOf(reportId);
        var rows = new List<TableEntity>();
        await foreach (var row in storage.Events.QueryAsync<TableEntity>(e => e.PartitionKey.CompareTo(from) >= 0 && e.PartitionKey.CompareTo(to) < 0, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        var batches = rows.GroupBy(r => r.PartitionKey).SelectMany(partition => partition.Chunk(100));
        await Parallel.ForEachAsync(batches, Parallelism.For(cancellationToken), async (batch, ct) =>
            await storage.Events.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All)), ct));
    }
}
