using AbuseDesk.Functions.Storage;
using AbuseDesk.Functions.Telemetry;
using Azure;
using Azure.Storage.Queues.Models;

namespace AbuseDesk.Functions.Hosting;

/// <summary>
/// Runs the queue triggers locally with the Functions host's semantics, read from the same host.json and
/// function.json: up to batchSize messages at once, a failed message becomes visible again after
/// visibilityTimeout, and after maxDequeueCount failed tries it moves to "{queue}-poison". Polling backs
/// off to maxPollingInterval when a queue is idle.
/// </summary>
public sealed class QueueTriggerRunner(
    FunctionManifest manifest,
    IEnumerable<ITriggeredFunction> functions,
    DeskStorage storage,
    ILogger<QueueTriggerRunner> logger) : BackgroundService
{
    // A message is held invisible while it runs and the lease is renewed every third of it; a crash makes the
    // message reappear within one lease, so work a dead process held is picked up again within half a minute.
    // Shorter leases were lost under load: a renewal waiting seconds behind a busy storage account arrived
    // after the message had surfaced again, and a second worker redid the whole message.
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = manifest.Functions
            .Where(f => f.TriggerType == "queueTrigger")
            .Select(f => RunQueueAsync(f, functions.Single(h => h.Name == f.Name), stoppingToken))
            .ToArray();
        return Task.WhenAll(loops);
    }

    private async Task RunQueueAsync(FunctionDefinition definition, ITriggeredFunction function, CancellationToken stoppingToken)
    {
        var settings = manifest.Queues;
        var queue = storage.Queue(definition.QueueName!);
        var poison = storage.Queue(definition.QueueName + "-poison");
        var idleDelay = TimeSpan.FromMilliseconds(100);
        // Like the host: fetch a new batch as soon as the messages in flight drop to newBatchThreshold, so a
        // slow message never holds up the rest of its batch.
        var running = new List<Task>();

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                running.RemoveAll(t => t.IsCompleted);
                if (running.Count > settings.NewBatchThreshold)
                {
                    await Task.WhenAny(running);
                    continue;
                }

                var messages = (await queue.ReceiveMessagesAsync(settings.BatchSize, Lease, stoppingToken)).Value;
                if (messages.Length == 0)
                {
                    await Task.Delay(idleDelay, stoppingToken);
                    idleDelay = TimeSpan.FromTicks(Math.Min(idleDelay.Ticks * 2, settings.MaxPollingInterval.Ticks));
                    continue;
                }

                idleDelay = TimeSpan.FromMilliseconds(100);
                running.AddRange(messages.Select(m => ProcessAsync(definition, function, queue, poison, m, settings, stoppingToken)));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Polling {Queue} failed; retrying", definition.QueueName);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        await Task.WhenAll(running).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task ProcessAsync(
        FunctionDefinition definition,
        ITriggeredFunction function,
        Azure.Storage.Queues.QueueClient queue,
        Azure.Storage.Queues.QueueClient poison,
        QueueMessage message,
        QueueSettings settings,
        CancellationToken stoppingToken)
    {
        var metadata = new Dictionary<string, string?>
        {
            ["Id"] = message.MessageId,
            ["DequeueCount"] = message.DequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["InsertionTime"] = message.InsertedOn?.ToString("O"),
            ["ExpirationTime"] = message.ExpiresOn?.ToString("O"),
            ["QueueName"] = definition.QueueName,
        };

        using var invocation = FunctionInvocation.Start(definition.Name, message.Body.ToString(), logger, System.Diagnostics.ActivityKind.Consumer);
        var popReceipt = message.PopReceipt;
        using var running = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        // Like the host, keep a long-running message invisible while its function works (a 1 GB feed takes minutes).
        var renewal = Task.Run(async () =>
        {
            while (true)
            {
                await Task.Delay(Lease / 3, running.Token);
                var receipt = await queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: Lease, cancellationToken: running.Token);
                popReceipt = receipt.Value.PopReceipt;
            }
        }, running.Token);

        try
        {
            try
            {
                await function.RunAsync(new TriggerInput(message.Body.ToString(), message.DequeueCount, metadata), stoppingToken);
            }
            finally
            {
                await running.CancelAsync();
                await renewal.ContinueWith(_ => { }, TaskScheduler.Default);
            }

            await queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: leave the message; it reappears after its lease.
        }
        catch (Exception ex)
        {
            invocation.Failed(ex);
            try
            {
                if (message.DequeueCount >= settings.MaxDequeueCount)
                {
                    logger.LogError(ex, "{Function} failed {Count} times; moving message {MessageId} to {Queue}-poison", definition.Name, message.DequeueCount, message.MessageId, definition.QueueName);
                    await poison.SendMessageAsync(message.Body, cancellationToken: CancellationToken.None);
                    await queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None);
                }
                else
                {
                    logger.LogWarning(ex, "{Function} failed (try {Count} of {Max}) for message {MessageId}", definition.Name, message.DequeueCount, settings.MaxDequeueCount, message.MessageId);
                    await queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: CancellationToken.None);
                }
            }
            catch (RequestFailedException inner)
            {
                // Lease lost (another receiver has it): the message is not ours to move any more.
                logger.LogWarning(inner, "Could not settle message {MessageId} on {Queue}", message.MessageId, definition.QueueName);
            }
        }
    }
}
