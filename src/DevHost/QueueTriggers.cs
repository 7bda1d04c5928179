using AbuseDesk.Functions.Storage;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace AbuseDesk.DevHost;

/// <summary>
/// The queue triggers, polled from storage with the Functions host's semantics from host.json: up to batchSize
/// messages at once and a new batch once those in flight drop to newBatchThreshold; a failed message becomes
/// visible again after visibilityTimeout and after maxDequeueCount tries moves to "{queue}-poison"; polling backs
/// off to maxPollingInterval while a queue is idle.
/// </summary>
public sealed class QueueTriggers(FunctionCatalog catalog, HostJson host, FunctionInvoker invoker, DeskStorage storage, ILogger<QueueTriggers> logger) : BackgroundService
{
    // A message is held invisible while it runs and the lease renewed every third of it, as the host does; a crash
    // makes it reappear within one lease.
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(catalog.Of(TriggerKind.Queue).Select(f => PollAsync(f, stoppingToken)));

    private async Task PollAsync(FunctionDescriptor function, CancellationToken stoppingToken)
    {
        var settings = host.Queues;
        var queue = storage.Queue(function.QueueName!);
        var poison = storage.Queue(function.QueueName + "-poison");
        await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        var idleDelay = TimeSpan.FromMilliseconds(100);
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
                running.AddRange(messages.Select(m => RunAsync(function, queue, poison, m, stoppingToken)));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Polling {Queue} failed; retrying", function.QueueName);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        await Task.WhenAll(running).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task RunAsync(FunctionDescriptor function, QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken stoppingToken)
    {
        var settings = host.Queues;
        var popReceipt = message.PopReceipt;
        using var stopRenewal = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewal = Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    await Task.Delay(Lease / 3, stopRenewal.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                // Never cancelled mid-call: an update the server applied but the client abandoned leaves a stale pop
                // receipt, and the delete after a success would then fail and run the work again.
                var receipt = await queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: Lease, cancellationToken: CancellationToken.None);
                popReceipt = receipt.Value.PopReceipt;
            }
        }, CancellationToken.None);

        try
        {
            try
            {
                object trigger = function.TriggerParameter.ParameterType == typeof(string) ? message.Body.ToString() : message;
                await invoker.InvokeAsync(function, trigger, new Dictionary<string, object?>(), stoppingToken);
            }
            finally
            {
                await stopRenewal.CancelAsync();
                await renewal.ContinueWith(_ => { }, TaskScheduler.Default);
            }

            await queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the message reappears after its lease.
        }
        catch (Exception ex)
        {
            try
            {
                if (message.DequeueCount >= settings.MaxDequeueCount)
                {
                    logger.LogError(ex, "{Function} failed {Count} times; moving message {MessageId} to {Queue}-poison", function.Name, message.DequeueCount, message.MessageId, function.QueueName);
                    await poison.SendMessageAsync(message.Body, cancellationToken: CancellationToken.None);
                    await queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None);
                }
                else
                {
                    logger.LogWarning(ex, "{Function} failed (try {Count} of {Max}) for message {MessageId}", function.Name, message.DequeueCount, settings.MaxDequeueCount, message.MessageId);
                    await queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: CancellationToken.None);
                }
            }
            catch (RequestFailedException inner)
            {
                // Lease lost (another receiver has it): the message is not ours to move any more.
                logger.LogWarning(inner, "Could not settle message {MessageId} on {Queue}", message.MessageId, function.QueueName);
            }
        }
    }
}
