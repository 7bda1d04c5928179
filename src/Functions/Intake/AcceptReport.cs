using System.Security.Cryptography;
using System.Text;
using AbuseDesk.Functions.Parsing;
using AbuseDesk.Functions.Storage;
using AbuseDesk.Functions.Telemetry;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace AbuseDesk.Functions.Intake;

public sealed record AcceptedReport(string ReportId, bool Duplicate);

/// <summary>
/// Keeps a raw report and queues it for parsing. The raw bytes are content-addressed (the blob name is their
/// SHA-256) and the report id is derived from reporter and content, so the same bytes from the same reporter
/// are recognised as a duplicate however often they arrive. Order matters for at-least-once: blob, then row,
/// then queue message; a crash anywhere is repaired by the sender's retry.
/// </summary>
/// <remarks>
/// A new report counts against its reporter's limits here, where it becomes new, whichever way it came in (POST or
/// inbox drop); a duplicate never counts, so a sender's retry is never refused its id.
/// </remarks>
public sealed class AcceptReport(DeskStorage storage, ReporterQuota quota, TimeProvider clock, ILogger<AcceptReport> logger)
{
    public async Task<AcceptedReport> AcceptAsync(string reporterId, ReadOnlyMemory<byte> content, string contentType, string? fileName, string? reportTypeHint, CancellationToken cancellationToken, MailOrigin? mail = null)
    {
        var contentHash = Convert.ToHexStringLower(SHA256.HashData(content.Span));
        var blob = storage.RawReports.GetBlobClient(BlobNameFor(contentHash));
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

        return await RecordAsync(reporterId, contentHash, content.Length, contentType, fileName, reportTypeHint, cancellationToken, mail);
    }

    /// <summary>
    /// Takes in a report that already sits in a blob (a feed dropped in the inbox), which may be far larger than
    /// memory: it is hashed as a stream and copied server-side into the content-addressed store.
    /// </summary>
    public async Task<AcceptedReport> AcceptBlobAsync(string reporterId, BlobClient source, long size, string contentType, string? fileName, CancellationToken cancellationToken)
    {
        string contentHash;
        await using (var stream = await source.OpenReadAsync(cancellationToken: cancellationToken))
        {
            contentHash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        }

        var blob = storage.RawReports.GetBlobClient(BlobNameFor(contentHash));
        if (!(await blob.ExistsAsync(cancellationToken)).Value)
        {
            var copy = await blob.StartCopyFromUriAsync(source.Uri, cancellationToken: cancellationToken);
            await copy.WaitForCompletionAsync(cancellationToken);
        }

        return await RecordAsync(reporterId, contentHash, size, contentType, fileName, null, cancellationToken);
    }

    /// <summary>The report these bytes from this reporter already are, or null; a known one still unparsed is queued again.</summary>
    public async Task<AcceptedReport?> KnownAsync(string reporterId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var reportId = ReportIdFor(reporterId, Convert.ToHexStringLower(SHA256.HashData(content.Span)));
        var found = await storage.Reports.GetEntityIfExistsAsync<ReportEntity>(reportId, ReportEntity.Row, cancellationToken: cancellationToken);
        if (!found.HasValue)
        {
            return null;
        }

        if (found.Value!.Status == ReportStatus.Received)
        {
            await QueueParseAgainAsync(reportId, cancellationToken);
        }

        return new AcceptedReport(reportId, Duplicate: true);
    }

    /// <summary>
    /// A duplicate of a report still unparsed is queued again, in case the first attempt died before queueing; parsing
    /// is idempotent. The message waits <see cref="ParseAgainAfter"/>: usually the first one is being parsed right now
    /// (50 identical posts at once), and the late copy then finds it settled and costs one read, instead of 49
    /// deliveries parsing the same report side by side and racing for its row.
    /// </summary>
    private Task QueueParseAgainAsync(string reportId, CancellationToken cancellationToken) =>
        storage.Queue(DeskStorage.ReportsParseQueue).SendMessageAsync(Json.Serialize(new ParseRequest(reportId)), visibilityTimeout: ParseAgainAfter, cancellationToken: cancellationToken);

    public static readonly TimeSpan ParseAgainAfter = TimeSpan.FromMinutes(1);

    private static string ReportIdFor(string reporterId, string contentHash) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{reporterId}\n{contentHash}")), 0, 12);

    private static string BlobNameFor(string contentHash) => $"sha256/{contentHash[..2]}/{contentHash}";

    private async Task<AcceptedReport> RecordAsync(string reporterId, string contentHash, long size, string contentType, string? fileName, string? reportTypeHint, CancellationToken cancellationToken, MailOrigin? mail = null)
    {
        var reportId = ReportIdFor(reporterId, contentHash);
        var entity = new ReportEntity
        {
            PartitionKey = reportId,
            RowKey = ReportEntity.Row,
            ReporterId = reporterId,
            BlobName = BlobNameFor(contentHash),
            ContentType = contentType,
            FileName = Bound(fileName, 256),
            ReportTypeHint = Bound(reportTypeHint, 128),
            Size = size,
            ReceivedAt = clock.GetUtcNow(),
            MailFrom = Bound(mail?.From, 320),
            MailAuthenticated = mail?.Authenticated,
            MailVerdict = Bound(mail?.Verdict, 1024),
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

        if (!duplicate)
        {
            await quota.ChargeReportAsync(reporterId, size, cancellationToken);
        }

        if (!duplicate)
        {
            await storage.Queue(DeskStorage.ReportsParseQueue).SendMessageAsync(Json.Serialize(new ParseRequest(reportId)), cancellationToken);
        }
        else if (entity.Status == ReportStatus.Received)
        {
            await QueueParseAgainAsync(reportId, cancellationToken);
        }

        DeskMetrics.ReportAccepted(reporterId, duplicate);
        logger.LogInformation("Report {ReportId} from {ReporterId}: {Size} bytes of {ContentType}{Duplicate}", reportId, reporterId, size, contentType, duplicate ? " (duplicate)" : "");
        return new AcceptedReport(reportId, duplicate);
    }

    private static string? Bound(string? value, int max) => value is null ? null : value.Length <= max ? value : value[..max];
}
