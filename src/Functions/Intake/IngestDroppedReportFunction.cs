using AbuseDesk.Functions.Storage;
using AbuseDesk.Functions.Telemetry;
using Azure.Storage.Blobs;

namespace AbuseDesk.Functions.Intake;

/// <summary>
/// A blob dropped into reports-inbox → <see cref="IngestDroppedReport"/>. In Azure the blob trigger's source is
/// Event Grid (infra/bicep subscribes it), so a drop is taken in within seconds and nothing polls the container.
/// </summary>
public sealed class IngestDroppedReportFunction(IngestDroppedReport handler, ILogger<IngestDroppedReportFunction> logger)
{
    [Function(nameof(IngestDroppedReport))]
    public Task RunAsync(
        [BlobTrigger(DeskStorage.InboxContainer + "/{name}", Source = BlobTriggerSource.EventGrid)] BlobClient blob,
        string name,
        CancellationToken cancellationToken) =>
        DeskInvocation.RunAsync(nameof(IngestDroppedReport), name, logger, () => handler.RunAsync(name, cancellationToken));
}
