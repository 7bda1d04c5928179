using AbuseDesk.Functions.Hosting;

namespace AbuseDesk.Functions.Ops;

/// <summary>
/// Every /api/ops function goes through here: the ops key first (401 otherwise), and answers that are never
/// cached, because they carry customers' contact addresses.
/// </summary>
public sealed class OpsEndpoint(OpsKey key, HttpEndpoint http)
{
    public Task<IResult> RunAsync(HttpRequest request, Func<Task<IResult>> handler)
    {
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        // The refusal goes through the shared endpoint too, so it carries the same transport headers.
        return http.RunAsync(request, () => key.IsValid(request)
            ? handler()
            : Task.FromResult(Problems.Unauthorized("Send the ops key in the x-functions-key header (or ?code=).")));
    }

    public Task<IResult> RunAsync(HttpRequest request, Func<IResult> handler) =>
        RunAsync(request, () => Task.FromResult(handler()));
}
