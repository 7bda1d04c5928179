using System.Diagnostics;
using System.Text;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;

namespace AbuseDesk.Functions.Tests.Telemetry;

/// <summary>
/// What the app's telemetry wiring (AddDeskTelemetry) exports about an HTTP request: the request's trace and the log
/// lines written during it carry the route, never a portal token from the path nor a key from the query.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class RequestTelemetryTests
{
    private const string Token = "v2.k1.20261204-0123456789ab.1764860000000.1767452000.U2VjcmV0LXNpZ25hdHVyZS12YWx1ZQ";
    private const string OpsKey = "ops-key-that-must-stay-secret";

    [Fact]
    public async Task Traces_and_log_lines_of_a_request_carry_no_token_and_no_key()
    {
        var activities = new List<Activity>();
        var logs = new List<LogRecord>();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddDeskTelemetry();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(activities));
        builder.Services.ConfigureOpenTelemetryLoggerProvider(logging => logging.AddInMemoryExporter(logs));
        builder.Services.AddSingleton<HttpEndpoint>();
        await using var app = builder.Build();
        app.MapGet("/portal/cases/{token}", (HttpRequest request, HttpEndpoint endpoint, ILogger<RequestTelemetryTests> logger) =>
            endpoint.RunAsync(request, () =>
            {
                logger.LogWarning("looked at a case");
                return Results.NotFound();
            }));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        using (var http = new HttpClient { BaseAddress = new Uri(address) })
        {
            using var response = await http.GetAsync(new Uri($"/portal/cases/{Token}?code={OpsKey}", UriKind.Relative));
            Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        }

        await app.StopAsync();
        app.Services.GetRequiredService<TracerProvider>().ForceFlush();

        // The listener is process-wide: a test running alongside with a server of its own (an in-process engine's gRPC
        // sidecar) adds its spans; this app's request is the one on the portal route.
        var request = Assert.Single(activities, a => a.Kind == ActivityKind.Server && a.DisplayName.StartsWith("GET /portal/", StringComparison.Ordinal));
        Assert.Matches("^/portal/cases/\\{token:[0-9a-f]{8}\\}$", request.GetTagItem("url.path") as string);
        var exported = new StringBuilder(request.DisplayName);
        // The test's own HttpClient call is traced too (as a client span, with the URL it sent): it is not the app's.
        foreach (var tag in activities.Where(a => a.Kind != ActivityKind.Client).SelectMany(a => a.TagObjects))
        {
            exported.Append('\n').Append(tag.Key).Append('=').Append(tag.Value);
        }

        var line = Assert.Single(logs, l => l.FormattedMessage == "looked at a case");
        foreach (var record in logs)
        {
            exported.Append('\n').Append(record.CategoryName).Append(": ").Append(record.FormattedMessage);
            foreach (var attribute in record.Attributes ?? [])
            {
                exported.Append(' ').Append(attribute.Key).Append('=').Append(attribute.Value);
            }

            record.ForEachScope((scope, text) =>
            {
                foreach (var item in scope)
                {
                    text.Append(" => ").Append(item.Key).Append('=').Append(item.Value);
                }
            }, exported);
        }

        var all = exported.ToString();
        Assert.DoesNotContain(Token, all, StringComparison.Ordinal);
        Assert.DoesNotContain("U2VjcmV0LXNpZ25hdHVyZS12YWx1ZQ", all, StringComparison.Ordinal);
        Assert.DoesNotContain(OpsKey, all, StringComparison.Ordinal);
        // The line still says which request it came from, through the marker.
        var scopes = new StringBuilder();
        line.ForEachScope((scope, text) =>
        {
            foreach (var item in scope)
            {
                text.Append(' ').Append(item.Key).Append('=').Append(item.Value);
            }
        }, scopes);
        Assert.Contains("/portal/cases/{token:", scopes.ToString(), StringComparison.Ordinal);
    }
}
