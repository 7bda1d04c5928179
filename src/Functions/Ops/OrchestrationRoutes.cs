using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Storage;
using Azure.Data.Tables;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace AbuseDesk.Functions.Ops;

/// <summary>
/// The engine as ops see it: case and digest orchestrations by runtime status, cases whose timer is late (due that
/// long ago and still armed: it did not fire, or its step keeps failing), and a restart from the case as recorded.
/// </summary>
public static class OrchestrationRoutes
{
    /// <summary>The case's orchestration for GET /api/ops/cases/{id}; purged after a finished run's retention, it is reported as completed.</summary>
    internal static async Task<object?> OfCaseAsync(DurableTaskClient durable, CaseEntity row, CancellationToken cancellationToken)
    {
        var instanceId = CaseOrchestration.InstanceFor(row.PartitionKey);
        var instance = await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken);
        if (instance is null)
        {
            return row.LastStep is null ? null : new { instanceId, runtimeStatus = "Completed", createdAt = (DateTimeOffset?)null, lastUpdatedAt = (DateTimeOffset?)null, purged = true };
        }

        return new
        {
            instanceId,
            runtimeStatus = instance.RuntimeStatus.ToString(),
            createdAt = instance.CreatedAt,
            lastUpdatedAt = instance.LastUpdatedAt,
            failure = instance.FailureDetails?.ErrorMessage,
        };
    }

    internal static async Task<IResult> ListAsync(HttpContext context, DurableTaskClient durable, DeskStorage storage, TimeProvider clock)
    {
        var (paging, problem) = OpsPaging.From(context.Request);
        if (paging is null)
        {
            return problem!;
        }

        var query = context.Request.Query;
        if (query["lateBy"].FirstOrDefault() is { Length: > 0 } lateText)
        {
            if (!TryParseDuration(lateText, out var lateBy))
            {
                return Problems.BadRequest($"'lateBy' must be an ISO 8601 duration such as PT10M, at most P{MaxLateBy.Days}D.");
            }

            return await LateAsync(durable, storage, clock.GetUtcNow() - lateBy, paging, context.RequestAborted);
        }

        var statuses = new List<OrchestrationRuntimeStatus>();
        foreach (var text in (query["runtimeStatus"].FirstOrDefault() ?? nameof(OrchestrationRuntimeStatus.Failed)).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Enum.TryParse<OrchestrationRuntimeStatus>(text, ignoreCase: true, out var status) || !Enum.IsDefined(status) || int.TryParse(text, out _))
            {
                return Problems.BadRequest("'runtimeStatus' must be one or more (comma-separated) of Pending, Running, Completed, Failed, Terminated, Suspended.");
            }

            statuses.Add(status);
        }

        var instances = new List<object>();
        string? continuation = null;
        var pages = durable.GetAllInstancesAsync(new OrchestrationQuery { Statuses = statuses, PageSize = paging.Limit, ContinuationToken = paging.Continuation });
        await foreach (var page in pages.AsPages(paging.Continuation, paging.Limit).WithCancellation(context.RequestAborted))
        {
            instances.AddRange(page.Values.Select(i => new
            {
                instanceId = i.InstanceId,
                caseId = CaseOrchestration.CaseOf(i.InstanceId),
                runtimeStatus = i.RuntimeStatus.ToString(),
                lastUpdatedAt = i.LastUpdatedAt,
                failure = i.FailureDetails?.ErrorMessage,
            }));
            continuation = page.ContinuationToken;
            break;
        }

        return Results.Json(new { instances, continuation });
    }

    /// <summary>Cases with a timer due before <paramref name="dueBefore"/> still armed on their row: its step never ran.</summary>
    private static async Task<IResult> LateAsync(DurableTaskClient durable, DeskStorage storage, DateTimeOffset dueBefore, OpsPaging paging, CancellationToken cancellationToken)
    {
        var late = new List<(CaseEntity Row, ArmedTimer Timer)>();
        string? continuation = null;
        var filter = CaseEntity.StateRows + " and " + TableClient.CreateQueryFilter($"Timers gt {""}");
        await foreach (var page in storage.Cases.QueryAsync<CaseEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken).AsPages(paging.Continuation))
        {
            foreach (var row in page.Values)
            {
                if (ArmedTimers.Read(row.Timers).Where(t => t.DueAt < dueBefore).MinBy(t => t.DueAt) is { } timer)
                {
                    late.Add((row, timer));
                }
            }

            continuation = page.ContinuationToken;
            if (late.Count >= paging.Limit)
            {
                break;
            }
        }

        var instances = new List<object>();
        foreach (var (row, timer) in late.Take(paging.Limit))
        {
            var instanceId = CaseOrchestration.InstanceFor(row.PartitionKey);
            var instance = await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken);
            instances.Add(new
            {
                instanceId,
                caseId = row.PartitionKey,
                runtimeStatus = instance?.RuntimeStatus.ToString(),
                lastUpdatedAt = instance?.LastUpdatedAt,
                lateTimer = new { kind = timer.Kind.ToString().ToLowerInvariant(), dueAt = timer.DueAt },
            });
        }

        return Results.Json(new { instances, continuation });
    }

    internal static async Task<IResult> RestartAsync(string instanceId, HttpContext context, DurableTaskClient durable, DeskStorage storage, OpsAudit audit)
    {
        var (intent, problem) = await OpsIntent.ReadAsync(context, reasonRequired: false);
        if (intent is null)
        {
            return problem!;
        }

        if (CaseOrchestration.CaseOf(instanceId) is { Length: > 0 } caseId)
        {
            if (await CaseEntity.LoadAsync(storage.Cases, caseId, context.RequestAborted) is null)
            {
                return Problems.NotFound($"No case '{caseId}'.");
            }

            await CaseInbox.RestartAsync(durable, caseId, context.RequestAborted);
        }
        else if (CustomerDigestOrchestration.CustomerOf(instanceId) is { Length: > 0 } customerId)
        {
            await CustomerDigestOrchestration.RestartAsync(durable, customerId, context.RequestAborted);
        }
        else
        {
            return Problems.NotFound($"No orchestration '{instanceId}': case orchestrations are 'case-{{caseId}}', digests 'digest-{{customerId}}'.");
        }

        await audit.RecordAsync("orchestration-restart", instanceId, intent, "started again from the recorded state", context.RequestAborted);
        return Results.Accepted($"/api/ops/orchestrations?runtimeStatus=Running", new { instanceId, restarted = true });
    }

    // Bounded so "now minus lateBy" is a date (P99999999D overflowed it: a fuzzer found the 500).
    private static readonly TimeSpan MaxLateBy = TimeSpan.FromDays(3650);

    private static bool TryParseDuration(string text, out TimeSpan duration)
    {
        try
        {
            duration = System.Xml.XmlConvert.ToTimeSpan(text);
            return duration >= TimeSpan.Zero && duration <= MaxLateBy;
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            duration = default;
            return false;
        }
    }
}

/// <summary>GET /api/ops/orchestrations</summary>
public sealed class ListOrchestrations(OpsEndpoint endpoint, DeskStorage storage, TimeProvider clock)
{
    [Function(nameof(ListOrchestrations))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/orchestrations")] HttpRequest request, [DurableClient] DurableTaskClient durable) =>
        endpoint.RunAsync(request, () => OrchestrationRoutes.ListAsync(request.HttpContext, durable, storage, clock));
}

/// <summary>POST /api/ops/orchestrations/{instanceId}/restart</summary>
public sealed class RestartOrchestration(OpsEndpoint endpoint, DeskStorage storage, OpsAudit audit)
{
    [Function(nameof(RestartOrchestration))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/ops/orchestrations/{instanceId}/restart")] HttpRequest request, string instanceId, [DurableClient] DurableTaskClient durable) =>
        endpoint.RunAsync(request, () => OrchestrationRoutes.RestartAsync(instanceId, request.HttpContext, durable, storage, audit));
}
