using AbuseDesk.Functions.Telemetry;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Cases;

/// <summary>
/// Daily: deletes the engine's own records (Instances and History rows) of orchestrations that completed or were
/// terminated longer ago than <see cref="CaseOptions.EngineHistoryRetention"/>. Failed ones stay for ops to see and
/// restart; the case's history rows are the desk's record and are never touched.
/// </summary>
public sealed class PurgeEngineHistory(IOptions<AbuseDeskOptions> options, TimeProvider clock, ILogger<PurgeEngineHistory> logger)
{
    public const string Name = nameof(PurgeEngineHistory);

    [Function(Name)]
    public Task RunAsync([TimerTrigger("0 30 3 * * *")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken) =>
        DeskInvocation.RunAsync(Name, "", logger, async () =>
        {
            var before = clock.GetUtcNow() - options.Value.Cases.EngineHistoryRetention;
            var result = await durable.PurgeAllInstancesAsync(
                new PurgeInstancesFilter(CreatedTo: before, Statuses: [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Terminated]), cancellationToken);
            logger.LogInformation("Purged the engine history of {Count} finished orchestration(s) created before {Before:O}", result.PurgedInstanceCount, before);
        });
}
