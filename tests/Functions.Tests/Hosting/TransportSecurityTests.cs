using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Ops;
using AbuseDesk.Functions.Portal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Tests.Hosting;

/// <summary>
/// Strict-Transport-Security on every answer given over HTTPS, decided from Request.IsHttps: in Azure the front end
/// ends TLS and the worker's forwarded-headers middleware sets the scheme from X-Forwarded-Proto. The dev host is
/// plain HTTP, so the rule and the endpoints that apply it are tested here on a request made in memory.
/// </summary>
public sealed class TransportSecurityTests
{
    private static HttpContext Request(string scheme, string path = "/api/health")
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = scheme;
        context.Request.Method = "GET";
        context.Request.Path = path;
        return context;
    }

    private static HttpEndpoint Http() => new(NullLogger<HttpEndpoint>.Instance);

    [Fact]
    public void Over_https_the_answer_asks_the_browser_to_keep_to_https_for_a_year()
    {
        var context = Request("https");
        TransportSecurity.Apply(context);
        Assert.Equal("max-age=31536000", context.Response.Headers.StrictTransportSecurity.ToString());
    }

    [Fact]
    public void Over_plain_http_there_is_no_such_header()
    {
        // A browser ignores it there anyway, and on a developer's http://127.0.0.1 it must not pin anything.
        var context = Request("http");
        TransportSecurity.Apply(context);
        Assert.False(context.Response.Headers.ContainsKey("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Every_kind_of_endpoint_applies_it_even_to_its_refusals()
    {
        var api = Request("https");
        await Http().RunAsync(api.Request, () => Results.Ok());
        Assert.Equal("max-age=31536000", api.Response.Headers.StrictTransportSecurity.ToString());

        // The ops key is wrong: the 401 still carries it, and no-store.
        var ops = Request("https", "/api/ops/cases");
        var opsKey = new OpsKey(Options.Create(new AbuseDeskOptions { Ops = new OpsOptions { Key = "the-key" } }));
        await new OpsEndpoint(opsKey, Http()).RunAsync(ops.Request, () => Results.Ok());
        Assert.Equal("max-age=31536000", ops.Response.Headers.StrictTransportSecurity.ToString());
        Assert.Equal("no-store", ops.Response.Headers.CacheControl.ToString());

        // The per-address limit is exhausted: the 429 page carries it too.
        using var limits = new PortalRateLimits(Options.Create(new PortalOptions { RateLimits = new PortalRateLimitOptions { RequestsPerIpPerMinute = 1 } }));
        var portal = new PortalEndpoint(limits, Http());
        await portal.RunAsync(Request("https", "/portal/assets/portal.css").Request, () => Results.Ok());
        var limited = Request("https", "/portal/assets/portal.css");
        var refusal = await portal.RunAsync(limited.Request, () => Results.Ok());
        Assert.Equal(StatusCodes.Status429TooManyRequests, Assert.IsAssignableFrom<IStatusCodeHttpResult>(refusal).StatusCode);
        Assert.Equal("max-age=31536000", limited.Response.Headers.StrictTransportSecurity.ToString());
    }
}
