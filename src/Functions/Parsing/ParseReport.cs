using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Intake;
using AbuseDesk.Functions.Ownership;
using AbuseDesk.Functions.Storage;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Parsing;

/// <summary>
/// reports-parse: raw report → events → owners → cases. Resumable: the report row records the stage reached,
/// events have deterministic keys, and attaching to cases is idempotent, so a redelivered message finishes
/// the work without duplicating any of it.
/// </summary>
public sealed class ParseReport(DeskStorage storage, AllocationStore allocations, AssignEvents assign, ILogger<ParseReport> logger) : ITriggeredFunction
{
    public string Name => "ParseReport";

    public async Task RunAsync(TriggerInput input, CancellationToken cancellationToken)
    {
        var request = Json.Deserialize<ParseRequest>(input.Payload);
        var report = (await storage.Reports.GetEntityAsync<ReportEntity>(request.ReportId, ReportEntity.Row, cancellationToken: cancellationToken)).Value;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["ReportId"] = report.PartitionKey });
        if (report.Status != ReportStatus.Received)
        {
            return;
        }

        var outcome = await ParseBlobAsync(report, cancellationToken);
        if (outcome.Failed)
        {
            report.Status = ReportStatus.Failed;
            report.Format = outcome.Format;
            report.Error = outcome.Error;
            await storage.Reports.UpdateEntityAsync(report, report.ETag, TableUpdateMode.Replace, cancellationToken);
            logger.LogWarning("Report {ReportId} failed to parse as {Format}: {Error}", report.PartitionKey, outcome.Format, outcome.Error);
            return;
        }

        var table = await allocations.CurrentAsync(cancellationToken);
        var routed = outcome.Events.Select((e, i) => CaseAssignment.Route(i, e, table)).ToList();

        if (report.Stage < ReportStage.EventsStored)
        {
            foreach (var batch in routed.Select(r => ToEntity(report.PartitionKey, r)).Chunk(100))
            {
                await storage.Events.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken);
            }

            report.Stage = ReportStage.EventsStored;
            report.Format = outcome.Format;
            report = await SaveAsync(report, cancellationToken);
        }

        await assign.AssignAsync(report.PartitionKey, routed, cancellationToken);

        report.Stage = ReportStage.Assigned;
        report.Status = ReportStatus.Parsed;
        report.EventCount = routed.Count;
        report.RoutedCount = routed.Count(r => r.Routed);
        report.UnroutedCount = routed.Count - report.RoutedCount;
        await SaveAsync(report, cancellationToken);
        logger.LogInformation("Report {ReportId} parsed as {Format}: {Events} events, {Routed} routed", report.PartitionKey, outcome.Format, report.EventCount, report.RoutedCount);
    }

    private async Task<ParseOutcome> ParseBlobAsync(ReportEntity report, CancellationToken cancellationToken)
    {
        await using var content = await storage.RawReports.GetBlobClient(report.BlobName).OpenReadAsync(cancellationToken: cancellationToken);
        try
        {
            return ReportParser.Parse(content, new ReportInput(report.ContentType, report.FileName, report.ReportTypeHint));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The parsers promise never to throw; if one does, the report is failed and kept, not retried forever.
            logger.LogError(ex, "Parser threw on report {ReportId}", report.PartitionKey);
            return ParseOutcome.Failure("unknown", $"parser error: {ex.GetType().Name}");
        }
    }

    private async Task<ReportEntity> SaveAsync(ReportEntity report, CancellationToken cancellationToken)
    {
        var response = await storage.Reports.UpdateEntityAsync(report, report.ETag, TableUpdateMode.Replace, cancellationToken);
        report.ETag = response.Headers.ETag ?? report.ETag;
        return report;
    }

    private static EventEntity ToEntity(string reportId, RoutedEvent routed) => new()
    {
        PartitionKey = reportId,
        RowKey = EventEntity.RowKeyFor(routed.Index),
        Ip = routed.Event.Ip,
        Port = routed.Event.Port,
        Url = routed.Event.Url,
        AbuseClass = routed.Event.AbuseClass.ToWireName(),
        ReportType = routed.Event.ReportType,
        OccurredAt = routed.Event.OccurredAt,
        Evidence = ReportEvent.BoundEvidence(routed.Event.Evidence),
        LowConfidence = routed.Event.LowConfidence,
        CustomerId = routed.Allocation?.CustomerId,
        ResourceId = routed.Allocation?.ResourceId,
        UnroutedReason = routed.UnroutedReason,
    };
}
