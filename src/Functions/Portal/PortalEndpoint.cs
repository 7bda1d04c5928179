using AbuseDesk.Functions.Hosting;

namespace AbuseDesk.Functions.Portal;

/// <summary>
/// Every /portal function goes through here. The token is in the URL, so answers never leak it onwards (no
/// referrer, no caching), the page runs no script at all (evidence can then never run as code), and the rate
/// limits apply before any work, with the headers on the 429 page too.
/// </summary>
public sealed class PortalEndpoint(PortalRateLimits limits, HttpEndpoint http)
{
    public Task<IResult> RunAsync(HttpRequest request, Func<Task<IResult>> handler)
    {
        var headers = request.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers.CacheControl = "no-store";
        return limits.Refusal(request.HttpContext) is { } refusal
            ? Task.FromResult(refusal)
            : http.RunAsync(request, handler);
    }

    public Task<IResult> RunAsync(HttpRequest request, Func<IResult> handler) =>
        RunAsync(request, () => Task.FromResult(handler()));
}
