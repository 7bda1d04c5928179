using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Storage;
using AbuseDesk.Functions.Telemetry;
using Azure.Storage.Queues.Models;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Cases;

/// <summary>
/// One call to the platform's webhook (a suspension, reinstatement or termination), and how it is retried: the
/// body as the case wrote it, and the retry policy in force when the call was queued, so a replay after a
/// settings change takes the same decisions.
/// </summary>
public sealed record PlatformCall(string Body, int Attempts, TimeSpan FirstRetry);

/// <summary>
/// platform-webhook: each message starts one <see cref="DeliverPlatformCall"/> orchestration, whose instance id is
/// the message's, so a redelivered message finds its delivery already under way and starts nothing.
/// </summary>
public sealed class PlatformWebhookFunction(IOptions<AbuseDeskOptions> options, ILogger<PlatformWebhookFunction> logger)
{
    public const string Name = "PlatformWebhook";

    [Function(Name)]
    public Task RunAsync(
        [QueueTrigger(DeskStorage.PlatformWebhookQueue)] QueueMessage message,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        DeskInvocation.RunAsync(Name, message.Body.ToString(), logger, async () =>
        {
            var platform = options.Value.Platform;
            if (string.IsNullOrEmpty(platform.WebhookUrl))
            {
                return;
            }

            var instanceId = DeliverPlatformCall.InstanceIdFor(message.MessageId);
            if (await durable.GetInstanceAsync(instanceId, cancellationToken) is not null)
            {
                return;
            }

            var call = new PlatformCall(message.Body.ToString(), platform.WebhookAttempts, platform.WebhookFirstRetry);
            await durable.ScheduleNewOrchestrationInstanceAsync(nameof(DeliverPlatformCall), call, new StartOrchestrationOptions(instanceId), cancellationToken);
        });
}

/// <summary>
/// The delivery of one platform call: try it with a widening wait between tries (durable timers, so a restart
/// loses no retry), and when every try failed, set the call aside on platform-webhook-poison, where ops see it in
/// GET /api/ops/poison and can send it again.
/// </summary>
public static class DeliverPlatformCall
{
    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);

    public static string InstanceIdFor(string messageId) => "platform-" + messageId;

    [Function(nameof(DeliverPlatformCall))]
    public static async Task RunAsync([OrchestrationTrigger] TaskOrchestrationContext context, PlatformCall call)
    {
        var retries = new RetryPolicy(call.Attempts, call.FirstRetry, backoffCoefficient: 2, maxRetryInterval: LongestWait);
        try
        {
            await context.CallActivityAsync(nameof(CallPlatformWebhook), call.Body, TaskOptions.FromRetryPolicy(retries));
        }
        catch (TaskFailedException)
        {
            await context.CallActivityAsync(nameof(SetPlatformCallAside), call.Body);
        }
    }
}

/// <summary>Activity: one signed POST to the platform (<see cref="Cases.CallPlatformWebhook"/>); a non-2xx answer throws.</summary>
public sealed class CallPlatformWebhookActivity(CallPlatformWebhook handler)
{
    [Function(nameof(CallPlatformWebhook))]
    public Task RunAsync([ActivityTrigger] string body, CancellationToken cancellationToken) =>
        handler.RunAsync(new TriggerInput(body), cancellationToken);
}

/// <summary>Activity: a call that failed every try goes to platform-webhook-poison for ops, as a failed queue message would.</summary>
public sealed class SetPlatformCallAside(DeskStorage storage, ILogger<SetPlatformCallAside> logger)
{
    [Function(nameof(SetPlatformCallAside))]
    public async Task RunAsync([ActivityTrigger] string body, CancellationToken cancellationToken)
    {
        logger.LogError("The platform webhook refused a call on every try; it is on {Queue}-poison for ops", DeskStorage.PlatformWebhookQueue);
        await storage.Queue(DeskStorage.PlatformWebhookQueue + "-poison").SendMessageAsync(body, cancellationToken);
    }
}
