using System.Security.Cryptography;
using System.Text;
using AbuseDesk.Functions.Parsing;
using AbuseDesk.Functions.Storage;
using Azure;
using Azure.Storage.Blobs.Models;

namespace AbuseDesk.Functions.Intake;

public sealed record AcceptedReport(string ReportId, bool Duplicate);

/// <summary>
/// Keeps a raw report and queues it for parsing. The raw bytes are content-addressed (the blob name is their
/// SHA-256) and the report id is derived from reporter and content, so the same bytes from the same reporter
/// are recognised as a duplicate however often they arrive. Order matters for at-least-once: blob, then row,
/// then queue message; a crash anywhere is repaired by the sender's retry.
/// </summary>
public sealed class AcceptReport(DeskStorage storage, TimeProvider clock, ILogger<AcceptReport> logger)
{
    public async Task<AcceptedReport> AcceptAsync(string reporterId, ReadOnlyMemory<byte> content, string contentType, string? fileName, string? reportTypeHint, CancellationToken cancellationToken)
    {
        var contentHash = Convert.ToHexStringLower(SHA256.HashData(content.Span));
        var reportId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{reporterId}\n{contentHash}")), 0, 12);
        var blobName = $"sha256/{contentHash[..2]}/{contentHash}";

        var blob = storage.RawReports.GetBlobClient(blobName);
        try
        {
            await blob.UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
            }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Same bytes already kept (maybe from another reporter): content addressing makes this a no-op.
        }

        var entity = new ReportEntity
        {
            PartitionKey = reportId,
            RowKey = ReportEntity.Row,
            ReporterId = reporterId,
            BlobName = blobName,
            ContentType = contentType,
            FileName = Bound(fileName, 256),
            ReportTypeHint = Bound(reportTypeHint, 128),
            Size = content.Length,
            ReceivedAt = clock.GetUtcNow(),
        };

        var duplicate = false;
        try
        {
            await storage.Reports.AddEntityAsync(entity, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            duplicate = true;
            entity = (await storage.Reports.GetEntityAsync<ReportEntity>(reportId, ReportEntity.Row, cancellationToken: cancellationToken)).Value;
        }

        // A duplicate that never got parsed (the first attempt died before queueing) is queued again;
        // parsing is idempotent, so an extra message costs nothing.
        if (!duplicate || entity.Status == ReportStatus.Received)
        {
            await storage.Queue(DeskStorage.ReportsParseQueue).SendMessageAsync(Json.Serialize(new ParseRequest(reportId)), cancellationToken);
        }

        logger.LogInformation("Report {ReportId} from {ReporterId}: {Size} bytes of {ContentType}{Duplicate}", reportId, reporterId, content.Length, contentType, duplicate ? " (duplicate)" : "");
        return new AcceptedReport(reportId, duplicate);
    }

    private static string? Bound(string? value, int max) => value is null ? null : value.Length <= max ? value : value[..max];
}
