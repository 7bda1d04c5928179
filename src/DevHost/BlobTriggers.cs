using AbuseDesk.Functions.Storage;

namespace AbuseDesk.DevHost;

/// <summary>
/// The blob triggers, in place of Event Grid: lists each trigger's container and invokes the function for each
/// blob with its {name}. The desk's function removes what it has taken in, so the listing is the work still to
/// do; a blob that keeps failing is left alone after maxDequeueCount tries, for ops.
/// </summary>
public sealed class BlobTriggers(FunctionCatalog catalog, HostJson host, FunctionInvoker invoker, DeskStorage storage, ILogger<BlobTriggers> logger) : BackgroundService
{
    private readonly Dictionary<string, int> _failures = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var triggers = catalog.Of(TriggerKind.Blob).ToList();
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var function in triggers)
            {
                await PollAsync(function, stoppingToken);
            }

            await Task.Delay(host.Queues.MaxPollingInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task PollAsync(FunctionDescriptor function, CancellationToken stoppingToken)
    {
        var slash = function.BlobPath!.IndexOf('/', StringComparison.Ordinal);
        var container = storage.Blobs.GetBlobContainerClient(function.BlobPath[..slash]);
        // "reports-inbox/{name}": the rest of the path is the blob's name.
        var nameParameter = FunctionInvoker.TemplateNames(function.BlobPath[(slash + 1)..]).Single();
        try
        {
            await foreach (var blob in container.GetBlobsAsync(cancellationToken: stoppingToken))
            {
                var path = $"{container.Name}/{blob.Name}";
                if (_failures.GetValueOrDefault(path) >= host.Queues.MaxDequeueCount)
                {
                    continue;
                }

                try
                {
                    var data = new Dictionary<string, object?> { [nameParameter] = blob.Name, ["blobTrigger"] = path };
                    await invoker.InvokeAsync(function, container.GetBlobClient(blob.Name), data, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _failures[path] = _failures.GetValueOrDefault(path) + 1;
                    logger.LogWarning(ex, "{Function} failed on {Path} (try {Count})", function.Name, path, _failures[path]);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Listing {Container} failed; retrying", container.Name);
        }
    }
}
