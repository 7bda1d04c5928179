namespace AbuseDesk.Functions.Ops;

/// <summary>The ops audit log (<see cref="OpsAudit"/>), newest first.</summary>
public static class AuditRoutes
{
    internal static async Task<IResult> ListAsync(HttpContext context, OpsAudit audit)
    {
        var (paging, problem) = OpsPaging.From(context.Request);
        if (paging is null)
        {
            return problem!;
        }

        var (entries, continuation) = await audit.ListAsync(context.Request.Query["target"].FirstOrDefault(), paging.Limit, paging.Continuation, context.RequestAborted);
        return Results.Json(new
        {
            entries = entries.Select(e => new { at = e.At, action = e.Action, target = e.Target, actor = e.Actor, reason = e.Reason, detail = e.Detail }),
            continuation,
        });
    }
}

/// <summary>GET /api/ops/audit</summary>
public sealed class ListAudit(OpsEndpoint endpoint, OpsAudit audit)
{
    [Function(nameof(ListAudit))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/audit")] HttpRequest request) =>
        endpoint.RunAsync(request, () => AuditRoutes.ListAsync(request.HttpContext, audit));
}
