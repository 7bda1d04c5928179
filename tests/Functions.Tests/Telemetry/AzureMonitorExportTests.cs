using System.IO.Compression;
using System.Net;
using System.Text;
using AbuseDesk.Functions.Telemetry;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace AbuseDesk.Functions.Tests.Telemetry;

/// <summary>
/// With APPLICATIONINSIGHTS_CONNECTION_STRING set the app exports to Azure Monitor. The ingestion endpoint is a
/// listener on this machine (or a closed port), so nothing leaves it; Statsbeat only starts for Azure's endpoints.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class AzureMonitorExportTests
{
    private const string Key = "00000000-0000-0000-0000-000000000000";

    [Fact]
    public async Task With_a_connection_string_desk_metrics_reach_the_Application_Insights_ingestion_endpoint()
    {
        var port = LoopbackPort.Free();
        using var ingestion = new HttpListener();
        ingestion.Prefixes.Add($"http://127.0.0.1:{port}/");
        ingestion.Start();
        var bodies = new List<string>();
        var receiving = ReceiveAsync(ingestion, bodies);

        using var host = BuildHost($"InstrumentationKey={Key};IngestionEndpoint=http://127.0.0.1:{port}/");
        await host.StartAsync();
        var reporter = "rep-" + Guid.NewGuid().ToString("N");
        DeskMetrics.ReportAccepted(reporter, duplicate: false);
        host.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000);

        await Eventually.Async(() => Task.FromResult(Snapshot(bodies).Any(b => b.Contains(reporter, StringComparison.Ordinal))), TimeSpan.FromSeconds(20), "the metric posted to the ingestion endpoint");
        var body = Snapshot(bodies).First(b => b.Contains(reporter, StringComparison.Ordinal));
        Assert.Contains("abusedesk.reports.received", body, StringComparison.Ordinal);
        Assert.Contains(Key, body, StringComparison.Ordinal);
        await host.StopAsync();
        ingestion.Stop();
        await receiving.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task An_unreachable_ingestion_endpoint_does_not_fail_start_up_and_the_exporter_is_configured()
    {
        var connectionString = $"InstrumentationKey={Key};IngestionEndpoint=http://127.0.0.1:9/";
        using var host = BuildHost(connectionString);

        await host.StartAsync();
        DeskMetrics.ReportAccepted("rep-unreachable", duplicate: false);
        host.Services.GetRequiredService<MeterProvider>().ForceFlush(5_000);

        var options = host.Services.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().CurrentValue;
        Assert.Equal(connectionString, options.ConnectionString);
        Assert.False(options.EnableLiveMetrics);
        Assert.Null(options.Credential);
        await host.StopAsync();
    }

    [Fact]
    public void Without_a_connection_string_nothing_of_Azure_Monitor_is_registered()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddDeskTelemetry();

        Assert.DoesNotContain(builder.Services, d => d.ToString().Contains("Azure.Monitor", StringComparison.Ordinal));
        Assert.Contains(builder.Services, d => d.ToString().Contains("OpenTelemetry", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD")]
    [InlineData("Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555")]
    [InlineData("Authorization=aad")]
    public void An_AAD_authentication_string_means_the_managed_identity(string authentication) =>
        Assert.IsType<ManagedIdentityCredential>(DeskTelemetry.CredentialFor(authentication));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Authorization=Key")]
    [InlineData("ClientId=11111111-2222-3333-4444-555555555555")]
    public void Anything_else_means_key_based_ingestion(string? authentication) =>
        Assert.Null(DeskTelemetry.CredentialFor(authentication));

    [Fact]
    public void The_Bicep_authentication_string_gives_the_exporter_the_managed_identity()
    {
        using var host = BuildHost($"InstrumentationKey={Key};IngestionEndpoint=http://127.0.0.1:9/", "ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD");

        var options = host.Services.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().CurrentValue;
        Assert.IsType<ManagedIdentityCredential>(options.Credential);
    }

    private static IHost BuildHost(string connectionString, string? authentication = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [DeskTelemetry.ConnectionStringKey] = connectionString,
            [DeskTelemetry.AuthenticationStringKey] = authentication,
            [DeskTelemetry.LiveMetricsKey] = "false",
        });
        builder.AddDeskTelemetry();
        // A failed export would otherwise be kept on disk for a later retry.
        builder.Services.Configure<AzureMonitorExporterOptions>(options => options.DisableOfflineStorage = true);
        return builder.Build();
    }

    private static List<string> Snapshot(List<string> bodies)
    {
        lock (bodies)
        {
            return [.. bodies];
        }
    }

    private static async Task ReceiveAsync(HttpListener listener, List<string> bodies)
    {
        while (listener.IsListening)
        {
            var context = await listener.GetContextAsync();
            Stream input = context.Request.InputStream;
            if (string.Equals(context.Request.Headers["Content-Encoding"], "gzip", StringComparison.OrdinalIgnoreCase))
            {
                input = new GZipStream(input, CompressionMode.Decompress);
            }

            using (var reader = new StreamReader(input, Encoding.UTF8))
            {
                var body = await reader.ReadToEndAsync();
                lock (bodies)
                {
                    bodies.Add(body);
                }
            }

            var reply = Encoding.UTF8.GetBytes("""{"itemsReceived":1,"itemsAccepted":1,"errors":[]}""");
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(reply);
            context.Response.Close();
        }
    }
}
