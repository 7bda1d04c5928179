using Azure.Storage.Blobs;

namespace AbuseDesk.Functions.Parsing;

/// <summary>
/// Where the parse handler's two passes read a report from. The parsers read synchronously (MimeKit, the CSV and
/// JSON readers); over a blob stream each read that runs dry is a network call made synchronously, twice per report.
/// Under load that made a 20 MB mail take 21 s to read against 0.7 s idle (the fuzz run, docs/performance.md). So a
/// report up to <see cref="LocalLimit"/> is downloaded once, asynchronously, to local disk and both passes read the
/// file; a larger feed (dropped as a blob, possibly gigabytes) is still streamed from the store, never held whole.
/// </summary>
public sealed class ReportCopy : IDisposable
{
    /// <summary>
    /// The largest report copied to local disk: above any posted report or mail (25 MB by default), and 24 deliveries
    /// at once (host.json's queue batch) stay within 1.5 GB of a plan's temporary space. Feeds past it are storing-bound.
    /// </summary>
    public const long LocalLimit = 64L * 1024 * 1024;

    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "abusedesk-reports");

    private readonly BlobClient _blob;

    private ReportCopy(BlobClient blob, string? localPath) => (_blob, LocalPath) = (blob, localPath);

    /// <summary>The local copy's path, or null when the report is read from the store.</summary>
    public string? LocalPath { get; }

    public static Task<ReportCopy> OpenAsync(BlobClient blob, long size, CancellationToken cancellationToken) =>
        OpenAsync(blob, size, LocalLimit, cancellationToken);

    public static async Task<ReportCopy> OpenAsync(BlobClient blob, long size, long localLimit, CancellationToken cancellationToken)
    {
        if (size > localLimit)
        {
            return new ReportCopy(blob, null);
        }

        Directory.CreateDirectory(Folder);
        SweepLeftovers();
        var path = Path.Combine(Folder, Guid.NewGuid().ToString("N"));
        try
        {
            await blob.DownloadToAsync(path, cancellationToken);
        }
        catch
        {
            File.Delete(path);
            throw;
        }

        return new ReportCopy(blob, path);
    }

    /// <summary>A fresh stream over the report, from its start.</summary>
    public async Task<Stream> ReadAsync(CancellationToken cancellationToken) => LocalPath is null
        ? await _blob.OpenReadAsync(cancellationToken: cancellationToken)
        : new FileStream(LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);

    public void Dispose()
    {
        if (LocalPath is not null)
        {
            File.Delete(LocalPath);
        }
    }

    /// <summary>Copies a crashed worker left behind: anything older than a day is no delivery still running.</summary>
    private static void SweepLeftovers()
    {
        var before = DateTime.UtcNow.AddDays(-1);
        foreach (var file in new DirectoryInfo(Folder).EnumerateFiles())
        {
            if (file.LastWriteTimeUtc < before)
            {
                try
                {
                    file.Delete();
                }
                catch (IOException)
                {
                    // Another worker swept it first.
                }
            }
        }
    }
}
