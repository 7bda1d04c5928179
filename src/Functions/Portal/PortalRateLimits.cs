using System.Globalization;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Portal;

/// <summary>
/// Per-link and per-address limits on /portal, chained so a request must pass both: the per-link limit stops one
/// leaked link from being hammered from many addresses, the per-address one stops one client from trying many
/// links. Checked by the portal functions themselves: the isolated worker has no ASP.NET middleware pipeline of
/// the app's own.
/// </summary>
public sealed class PortalRateLimits : IDisposable
{
    private const string CasesPath = "/portal/cases";
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly PartitionedRateLimiter<HttpContext> _limiter;

    public PortalRateLimits(IOptions<PortalOptions> portal)
    {
        var limits = portal.Value.RateLimits;
        if (!ForwardedFor.TryParseProxies(limits.TrustedProxies, out var proxies, out var error))
        {
            throw new InvalidOperationException(error);
        }

        _limiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<HttpContext, string>(context => Fixed("ip|" + ForwardedFor.ClientAddress(
                context.Connection.RemoteIpAddress, context.Request.Headers["X-Forwarded-For"].ToString(), proxies), limits.RequestsPerIpPerMinute)),
            PartitionedRateLimiter.Create<HttpContext, string>(context => TokenOf(context) is { } token
                ? HttpMethods.IsPost(context.Request.Method)
                    ? Fixed("post|" + token, limits.PostsPerTokenPerMinute)
                    : Fixed("get|" + token, limits.GetsPerTokenPerMinute)
                : RateLimitPartition.GetNoLimiter("")));
    }

    /// <summary>Null when the request may go on; otherwise the 429 page to answer with, with Retry-After set.</summary>
    public IResult? Refusal(HttpContext context)
    {
        using var lease = _limiter.AttemptAcquire(context);
        if (lease.IsAcquired)
        {
            return null;
        }

        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : Window;
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var page = CasePage.Message("Too many requests",
            $"This page was opened or sent too often in a short time. Please wait {seconds} seconds and try again. "
            + "If you keep seeing this, reply to the mail you received to reach the abuse team.");
        return Results.Content(page, "text/html; charset=utf-8", Encoding.UTF8, StatusCodes.Status429TooManyRequests);
    }

    public void Dispose() => _limiter.Dispose();

    private static string? TokenOf(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments(CasesPath, out var rest) || rest.Value is not { Length: > 1 } tail)
        {
            return null;
        }

        // Bounded like the verifier bounds tokens, so junk cannot make the partition keys big.
        var token = tail[1..].Split('/')[0];
        return token.Length > 512 ? token[..512] : token;
    }

    private static RateLimitPartition<string> Fixed(string key, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
}
