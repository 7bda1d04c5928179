using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Hosting;

/// <summary>
/// Local stand-in for the Event Grid blob trigger: lists the trigger's container and invokes the function
/// for each blob. The function removes what it has taken in, so the listing is the work still to do.
/// A blob that keeps failing is skipped after maxDequeueCount tries and left in place for ops.
/// </summary>
public sealed class BlobTriggerRunner(FunctionManifest manifest, IEnumerable<ITriggeredFunction> functions, DeskStorage storage, ILogger<BlobTriggerRunner> logger) : BackgroundService
{
    private readonly Dictionary<string, int> _failures = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var triggers = manifest.Functions.Where(f => f.TriggerType == "blobTrigger").ToList();
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var trigger in triggers)
            {
                var container = trigger.Path!.Split('/')[0];
                var function = functions.Single(f => f.Name == trigger.Name);
                try
                {
                    await foreach (var blob in storage.Blobs.GetBlobContainerClient(container).GetBlobsAsync(cancellationToken: stoppingToken))
                    {
                        var path = $"{container}/{blob.Name}";
                        if (_failures.GetValueOrDefault(path) >= manifest.Queues.MaxDequeueCount)
                        {
                            continue;
                        }

                        try
                        {
                            await function.RunAsync(new TriggerInput(path, 1, new Dictionary<string, string?> { ["BlobTrigger"] = path, ["Name"] = blob.Name }), stoppingToken);
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException)
                        {
                            _failures[path] = _failures.GetValueOrDefault(path) + 1;
                            logger.LogWarning(ex, "{Function} failed on {Path} (try {Count})", trigger.Name, path, _failures[path]);
                        }
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    logger.LogWarning(ex, "Listing {Container} failed; retrying", container);
                }
            }

            await Task.Delay(manifest.Queues.MaxPollingInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
