using System.Diagnostics;
using Azure.Core;
using Azure.Identity;
using AbuseDesk.Functions.Hosting;
using Azure.Monitor.OpenTelemetry.Exporter;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AbuseDesk.Functions.Telemetry;

/// <summary>
/// OpenTelemetry for the app: traces (an activity per function invocation, ASP.NET Core requests, outgoing HTTP),
/// the desk's metrics (<see cref="DeskMetrics"/>) and logs with their scopes. Exported to Application Insights when
/// APPLICATIONINSIGHTS_CONNECTION_STRING is set (with the managed identity when the Bicep's
/// APPLICATIONINSIGHTS_AUTHENTICATION_STRING says Authorization=AAD: local auth is disabled there), else to the
/// console when AbuseDesk:Telemetry:Console is true. Logs reach the console through the default logger anyway.
/// </summary>
public static class DeskTelemetry
{
    public const string SourceName = "AbuseDesk";
    public const string ConnectionStringKey = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringKey = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";
    public const string ConsoleKey = "AbuseDesk:Telemetry:Console";
    public const string LiveMetricsKey = "AbuseDesk:Telemetry:LiveMetrics";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The logger behind ASP.NET Core's request lines and request scope (see <see cref="AddDeskTelemetry"/>).</summary>
    public const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static IHostApplicationBuilder AddDeskTelemetry(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var connectionString = configuration[ConnectionStringKey];
        var console = configuration.GetValue<bool>(ConsoleKey);

        // Scopes carry ReportId/CaseId (DeskInvocation): show them on the console as well.
        builder.Logging.AddSimpleConsole(options => options.IncludeScopes = true);

        // ASP.NET Core's hosting diagnostics write "Request starting GET .../portal/cases/{the whole token}?code=..."
        // and put the raw path into a scope on every line logged during a request, on the console and in Application
        // Insights alike. A portal link is a 30-day credential and ?code= the ops key: this logger stays off whatever
        // the configured levels; HttpEndpoint scopes each request with its redacted path instead, and the request
        // traces below carry the same redaction. Kestrel's own lines carry connection ids, not paths.
        builder.Logging.AddFilter(HostingDiagnostics, LogLevel.None);

        var telemetry = builder.Services.AddOpenTelemetry()
            // In Azure the site name is the app's role name in Application Insights, as the Functions host reports it.
            .ConfigureResource(resource => resource.AddService(configuration["WEBSITE_SITE_NAME"] ?? "abusedesk"))
            .WithTracing(tracing =>
            {
                tracing.AddSource(SourceName)
                    .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.EnrichWithHttpRequest = (activity, request) =>
                    {
                        // The route (http.route, the span's name) stays; the path and query lose their secrets.
                        activity.SetTag("url.path", Redacted.Path(request.Path));
                        if (request.QueryString.HasValue)
                        {
                            activity.SetTag("url.query", Redacted.Query(request.QueryString));
                        }
                    })
                    .AddHttpClientInstrumentation();
                if (console && string.IsNullOrEmpty(connectionString))
                {
                    tracing.AddConsoleExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(DeskMetrics.MeterName).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (console && string.IsNullOrEmpty(connectionString))
                {
                    metrics.AddConsoleExporter();
                }
            })
            .WithLogging(configureBuilder: null, configureOptions: logging =>
            {
                logging.IncludeScopes = true;
                logging.IncludeFormattedMessage = true;
            });

        if (!string.IsNullOrEmpty(connectionString))
        {
            var credential = CredentialFor(configuration[AuthenticationStringKey]);
            var liveMetrics = configuration.GetValue(LiveMetricsKey, true);
            telemetry.UseAzureMonitorExporter(options =>
            {
                options.ConnectionString = connectionString;
                options.Credential = credential;
                options.EnableLiveMetrics = liveMetrics;
            });
        }

        return builder;
    }

    /// <summary>
    /// The credential Application Insights ingestion needs, from the authentication string the Functions host uses:
    /// "Authorization=AAD;ClientId=&lt;user-assigned identity&gt;" (either order), or "Authorization=AAD" alone for the
    /// system-assigned identity. Anything else means key-based ingestion: no credential.
    /// </summary>
    public static TokenCredential? CredentialFor(string? authenticationString)
    {
        if (string.IsNullOrWhiteSpace(authenticationString))
        {
            return null;
        }

        var parts = authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var authorization) || !string.Equals(authorization, "AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return parts.TryGetValue("ClientId", out var clientId) && !string.IsNullOrEmpty(clientId)
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}
