using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Intake;

/// <summary>
/// Blob trigger on reports-inbox (Event Grid source in Azure): a mail or feed pipeline drops a raw report at
/// <c>reports-inbox/{reporterId}/{file}</c> and it is taken in exactly like a POST from that reporter. The
/// inbox blob is deleted once the report is kept, so the inbox only ever shows what still needs doing.
/// The folder names the reporter, and nothing authenticates it but storage access: so a drop is refused exactly
/// when <c>POST /api/reports</c> would refuse that reporter's key (unknown, or revoked), and moved to
/// <see cref="RefusedDrops"/> for ops instead of being taken in.
/// </summary>
/// <remarks>
/// A drop counts against the reporter's limits like a POST, but is not refused by the report and byte limits: whoever
/// can write to the inbox holds storage access, and a feed's pipeline has no one to answer a 429. The events-a-day
/// limit still holds when it is parsed.
/// </remarks>
public sealed class IngestDroppedReport(DeskStorage storage, AcceptReport accept, Reporters reporters, RefusedDrops refused, ILogger<IngestDroppedReport> logger)
{
    // Feeds can be big; they are streamed, never loaded. The cap only stops absurd uploads.
    private const long MaxBytes = 8L * 1024 * 1024 * 1024;

    /// <summary>Takes in the inbox blob <paramref name="name"/> ("rep-1/x.eml", below the container).</summary>
    public async Task RunAsync(string name, CancellationToken cancellationToken)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var blob = storage.Inbox.GetBlobClient(name);
        if (slash <= 0)
        {
            // Left in place it would be listed (and logged) on every poll of the local runner, forever.
            await RefuseAsync(blob, name, RefusedDrops.NoReporterFolder, cancellationToken);
            return;
        }

        var reporterId = name[..slash];
        if (await RefusalOf(reporterId, cancellationToken) is { } reason)
        {
            await RefuseAsync(blob, name, reason, cancellationToken);
            return;
        }

        var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
        if (properties.Value.ContentLength > MaxBytes)
        {
            logger.LogError("Inbox blob {Name} is {Size} bytes, over the {Max} limit; left for ops", name, properties.Value.ContentLength, MaxBytes);
            return;
        }

        var fileName = name[(name.LastIndexOf('/') + 1)..];
        var contentType = ContentTypeFor(fileName, properties.Value.ContentType);
        await accept.AcceptBlobAsync(reporterId, blob, properties.Value.ContentLength, contentType, fileName, cancellationToken);

        await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Why this reporter may not report, or null. Revocation deletes the key row first and marks the reporter
    /// second; a reporter whose key row is gone counts as revoked, so a revocation that stopped half-way refuses
    /// drops at once, as it already refuses the key.
    /// </summary>
    private async Task<string?> RefusalOf(string reporterId, CancellationToken cancellationToken)
    {
        var reporter = await reporters.FindAsync(reporterId, cancellationToken);
        if (reporter is null)
        {
            return RefusedDrops.UnknownReporter;
        }

        if (reporter.Revoked)
        {
            return RefusedDrops.RevokedReporter;
        }

        return string.IsNullOrEmpty(reporter.KeyHash) || await reporters.KeyExistsAsync(reporter.KeyHash, cancellationToken)
            ? null
            : RefusedDrops.RevokedReporter;
    }

    private async Task RefuseAsync(Azure.Storage.Blobs.BlobClient blob, string name, string reason, CancellationToken cancellationToken)
    {
        var kept = await refused.MoveAsync(blob, name, reason, cancellationToken);
        // An error, not a warning: a pipeline is dropping reports the desk does not take, and someone must act.
        logger.LogError("Inbox blob {Name} refused: {Reason}; not taken in, moved to {Container}/{Kept} for ops", name, reason, RefusedDrops.Container, kept);
    }

    internal static string ContentTypeFor(string fileName, string? declared) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".eml" or ".msg" => "message/rfc822",
        ".json" => "application/json",
        ".csv" => "text/csv",
        ".zip" => "application/zip",
        _ => string.IsNullOrEmpty(declared) ? "application/octet-stream" : declared,
    };
}
