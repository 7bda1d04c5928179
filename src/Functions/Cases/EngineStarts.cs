using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace AbuseDesk.Functions.Cases;

/// <summary>
/// What the case and digest orchestrations share with the engine: how their steps are retried, and how an instance
/// is started — once (two starts of one instance at the same moment corrupt it, docs/case-orchestration.md), with the
/// duplicate start refused rather than ignored, or again by ops from the recorded state.
/// </summary>
public static class EngineStarts
{
    /// <summary>A step's storage calls may fail for a while (a throttled account, a restart): tried again, then the orchestration fails visibly.</summary>
    public static readonly TaskOptions StepRetries = TaskOptions.FromRetryPolicy(new RetryPolicy(5, TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30)));

    /// <summary>
    /// Instances in these states refuse a start: the caller raises its signal instead. A failed one is left failed for
    /// ops to restart; only a terminated or completed one is started afresh.
    /// </summary>
    private static readonly OrchestrationRuntimeStatus[] Running =
        [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Suspended, OrchestrationRuntimeStatus.Failed];

    /// <summary>Starts the instance with <paramref name="input"/>; false if it already runs (or failed).</summary>
    public static async Task<bool> TryStartAsync(DurableTaskClient durable, string name, string instanceId, object input, CancellationToken cancellationToken)
    {
        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(name, input, new StartOrchestrationOptions(instanceId).WithDedupeStatuses(Running), cancellationToken);
            return true;
        }
        catch (Exception ex) when (AlreadyExists(ex))
        {
            return false;
        }
    }

    /// <summary>Ends the instance if it runs and starts it again with <paramref name="input"/> (ops, audited by the caller).</summary>
    public static async Task RestartAsync(DurableTaskClient durable, string name, string instanceId, object input, CancellationToken cancellationToken)
    {
        if (await durable.GetInstanceAsync(instanceId, cancellationToken) is { IsRunning: true })
        {
            await durable.TerminateInstanceAsync(instanceId, "restarted by ops", cancellationToken);
            await durable.WaitForInstanceCompletionAsync(instanceId, cancellationToken);
        }

        await durable.ScheduleNewOrchestrationInstanceAsync(name, input, new StartOrchestrationOptions(instanceId), cancellationToken);
    }

    /// <summary>
    /// The duplicate-start refusal, as the gRPC client (OrchestrationAlreadyExistsException, not public in every
    /// client package) and the Functions host's client report it.
    /// </summary>
    private static bool AlreadyExists(Exception ex) =>
        ex.GetType().Name == "OrchestrationAlreadyExistsException"
        || ex is Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.AlreadyExists }
        || (ex is InvalidOperationException && ex.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase));
}
