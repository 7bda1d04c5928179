using System.Globalization;
using AbuseDesk.Functions.Storage;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace AbuseDesk.Functions.Intake;

/// <summary>One refused inbox blob as ops see it: where it is now, whose folder it came from and why it was refused.</summary>
public sealed record RefusedDrop(string Name, string? ReporterId, string File, string Reason, DateTimeOffset? RefusedAt, long Size, string? ContentType);

/// <summary>
/// Inbox blobs the desk will not take in (reporter unknown or revoked, no reporter folder) are moved to
/// <c>reports-inbox-refused</c> under the same name: the inbox keeps meaning "still to do", the blob is not lost
/// (it may be a real report from a pipeline with a wrong folder), and ops list them with
/// <c>GET /api/ops/queues/refused-drops</c>. Moving also stops the local blob runner, which lists the inbox on
/// every poll, from refusing (and logging) the same blob again and again.
/// </summary>
public sealed class RefusedDrops(DeskStorage storage, TimeProvider clock)
{
    // Not in DeskStorage on purpose for now: the app creates it on the first refusal, and its listing treats a
    // missing container as empty. The name avoids the Event Grid filter ("reports-inbox/" with the slash).
    public const string Container = "reports-inbox-refused";

    public const string ReasonKey = "refusedreason";
    public const string RefusedAtKey = "refusedat";

    public const string UnknownReporter = "reporter unknown";
    public const string RevokedReporter = "reporter revoked";
    public const string NoReporterFolder = "no reporter folder";

    private BlobContainerClient Refused => storage.Blobs.GetBlobContainerClient(Container);

    /// <summary>
    /// Copies the inbox blob (server-side, so a large feed never passes through the app) with the reason in its
    /// metadata, then deletes it from the inbox. A crash in between leaves it in both places; the next try copies
    /// it again under a suffixed name: a duplicate for ops, never a loss. Returns the refused blob's name.
    /// </summary>
    public async Task<string> MoveAsync(BlobClient source, string name, string reason, CancellationToken cancellationToken)
    {
        await Refused.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var now = clock.GetUtcNow();
        var metadata = new Dictionary<string, string>
        {
            [ReasonKey] = reason,
            [RefusedAtKey] = now.ToString("O", CultureInfo.InvariantCulture),
        };

        var target = name;
        try
        {
            await CopyAsync(source, target, metadata, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // The same name was refused before (a pipeline reusing file names): keep both.
            target = $"{name}~{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture)}";
            await CopyAsync(source, target, metadata, cancellationToken);
        }

        await source.DeleteIfExistsAsync(cancellationToken: cancellationToken);
        return target;
    }

    private async Task CopyAsync(BlobClient source, string target, Dictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var copy = await Refused.GetBlobClient(target).StartCopyFromUriAsync(source.Uri, new BlobCopyFromUriOptions
        {
            Metadata = metadata,
            DestinationConditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        }, cancellationToken);
        await copy.WaitForCompletionAsync(cancellationToken);
    }

    public async Task<(List<RefusedDrop> Drops, string? Continuation)> ListAsync(int limit, string? continuation, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var page in Refused.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }, cancellationToken).AsPages(continuation, limit))
            {
                return ([.. page.Values.Select(Drop)], string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Nothing was ever refused: the container does not exist yet.
        }

        return ([], null);
    }

    /// <summary>How many refused blobs wait for ops, up to <paramref name="cap"/>.</summary>
    public async Task<int> CountAsync(int cap, CancellationToken cancellationToken)
    {
        var count = 0;
        try
        {
            await foreach (var _ in Refused.GetBlobsAsync(cancellationToken: cancellationToken))
            {
                if (++count >= cap)
                {
                    break;
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return 0;
        }

        return count;
    }

    private static RefusedDrop Drop(BlobItem blob)
    {
        var slash = blob.Name.IndexOf('/', StringComparison.Ordinal);
        IDictionary<string, string> metadata = blob.Metadata ?? new Dictionary<string, string>();
        return new RefusedDrop(
            blob.Name,
            slash > 0 ? blob.Name[..slash] : null,
            blob.Name[(blob.Name.LastIndexOf('/') + 1)..],
            metadata.TryGetValue(ReasonKey, out var reason) ? reason : "",
            metadata.TryGetValue(RefusedAtKey, out var refusedAt) && DateTimeOffset.TryParse(refusedAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : blob.Properties.CreatedOn,
            blob.Properties.ContentLength ?? 0,
            blob.Properties.ContentType);
    }
}
