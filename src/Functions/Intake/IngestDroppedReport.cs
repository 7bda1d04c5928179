using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Intake;

/// <summary>
/// Blob trigger on reports-inbox (Event Grid source in Azure): a mail or feed pipeline drops a raw report at
/// <c>reports-inbox/{reporterId}/{file}</c> and it is taken in exactly like a POST from that reporter. The
/// inbox blob is deleted once the report is kept, so the inbox only ever shows what still needs doing.
/// </summary>
public sealed class IngestDroppedReport(DeskStorage storage, AcceptReport accept, ILogger<IngestDroppedReport> logger) : ITriggeredFunction
{
    // Feeds can be big; they are streamed, never loaded. The cap only stops absurd uploads.
    private const long MaxBytes = 8L * 1024 * 1024 * 1024;

    public string Name => "IngestDroppedReport";

    public async Task RunAsync(TriggerInput input, CancellationToken cancellationToken)
    {
        // The host passes the blob path as metadata ("BlobTrigger": "reports-inbox/rep-1/x.eml").
        var path = input.Metadata.TryGetValue("BlobTrigger", out var trigger) && trigger is not null ? trigger : input.Payload;
        var name = path.StartsWith(DeskStorage.InboxContainer + "/", StringComparison.Ordinal) ? path[(DeskStorage.InboxContainer.Length + 1)..] : path;
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            logger.LogError("Inbox blob {Name} is not under a reporter folder (reports-inbox/{{reporterId}}/{{file}}); left for ops", name);
            return;
        }

        var blob = storage.Inbox.GetBlobClient(name);
        var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
        if (properties.Value.ContentLength > MaxBytes)
        {
            logger.LogError("Inbox blob {Name} is {Size} bytes, over the {Max} limit; left for ops", name, properties.Value.ContentLength, MaxBytes);
            return;
        }

        var fileName = name[(name.LastIndexOf('/') + 1)..];
        var contentType = ContentTypeFor(fileName, properties.Value.ContentType);
        await accept.AcceptBlobAsync(name[..slash], blob, properties.Value.ContentLength, contentType, fileName, cancellationToken);
        await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken);
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
