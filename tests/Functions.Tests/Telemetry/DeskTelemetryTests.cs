using System.Diagnostics;
using AbuseDesk.Functions.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AbuseDesk.Functions.Tests.Telemetry;

/// <summary>
/// The app's telemetry wiring (AddDeskTelemetry, as Program.cs calls it) in a host of its own with in-memory
/// exporters: what a function invocation leaves behind as a trace, a metric and log lines with their ids.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class DeskTelemetryTests
{
    [Fact]
    public async Task A_function_invocation_leaves_an_activity_a_desk_metric_and_log_lines_scoped_with_its_ids()
    {
        var activities = new List<Activity>();
        var metrics = new List<MetricSnapshot>();
        var logs = new List<LogRecord>();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddDeskTelemetry();
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(activities));
        builder.Services.ConfigureOpenTelemetryMeterProvider(metering => metering.AddInMemoryExporter(metrics));
        builder.Services.ConfigureOpenTelemetryLoggerProvider(logging => logging.AddInMemoryExporter(logs));
        using var host = builder.Build();
        await host.StartAsync();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ParseReport");
        var reporter = "rep-" + Guid.NewGuid().ToString("N");

        using (DeskInvocation.Start("ParseReport", """{"reportId":"r-0123456789ab"}""", logger))
        {
            logger.LogInformation("parsing");
            DeskMetrics.ReportAccepted(reporter, duplicate: false);
        }

        using (var invocation = DeskInvocation.Start("SendEmail", """{"caseId":"c-42","mailRow":"m|000003"}""", logger))
        {
            logger.LogWarning("smtp said no");
            invocation.Failed(new InvalidOperationException("451 try later"));
        }

        host.Services.GetRequiredService<TracerProvider>().ForceFlush();
        host.Services.GetRequiredService<MeterProvider>().ForceFlush();
        await host.StopAsync();

        var parse = Assert.Single(activities, a => a.DisplayName == "ParseReport");
        Assert.Equal(DeskTelemetry.SourceName, parse.Source.Name);
        Assert.Equal("r-0123456789ab", parse.GetTagItem("report.id"));
        Assert.Null(parse.GetTagItem("case.id"));
        var send = Assert.Single(activities, a => a.DisplayName == "SendEmail");
        Assert.Equal("c-42", send.GetTagItem("case.id"));
        Assert.Equal(ActivityStatusCode.Error, send.Status);

        var received = Assert.Single(metrics, m => m.Name == "abusedesk.reports.received");
        var point = Assert.Single(received.MetricPoints, p => Tags(p).GetValueOrDefault("reporter") == reporter);
        Assert.Equal(1, point.GetSumLong());

        var parsing = Assert.Single(logs, l => l.FormattedMessage == "parsing");
        Assert.Equal("r-0123456789ab", Scopes(parsing).GetValueOrDefault("ReportId"));
        Assert.False(Scopes(parsing).ContainsKey("CaseId"));
        Assert.Equal(parse.TraceId, parsing.TraceId);
        var smtp = Assert.Single(logs, l => l.FormattedMessage == "smtp said no");
        Assert.Equal("c-42", Scopes(smtp).GetValueOrDefault("CaseId"));
    }

    [Fact]
    public void A_wake_up_for_a_batch_of_cases_names_them_all_rather_than_the_first_alone()
    {
        var (reportId, caseId, caseIds) = DeskInvocation.IdsOf("""{"caseId":"c-1","kind":"events-added","caseIds":["c-1","c-2"]}""");
        Assert.Null(reportId);
        Assert.Equal("c-1", caseId);
        Assert.Equal(["c-1", "c-2"], caseIds);

        var scope = new DeskLogScope(reportId, null, caseIds);
        Assert.Equal([new KeyValuePair<string, object?>("CaseIds", "c-1,c-2")], scope);
        Assert.Equal("CaseIds:c-1,c-2", scope.ToString());
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"reportId\": ")]
    [InlineData("[1,2,3]")]
    public void A_payload_without_ids_gives_none_and_never_throws(string payload) =>
        Assert.Equal(default, DeskInvocation.IdsOf(payload));

    private static Dictionary<string, string?> Tags(MetricPoint point)
    {
        var tags = new Dictionary<string, string?>();
        foreach (var tag in point.Tags)
        {
            tags[tag.Key] = tag.Value?.ToString();
        }

        return tags;
    }

    private static Dictionary<string, string?> Scopes(LogRecord record)
    {
        var values = new Dictionary<string, string?>();
        record.ForEachScope((scope, state) =>
        {
            foreach (var item in scope)
            {
                state[item.Key] = item.Value?.ToString();
            }
        }, values);
        return values;
    }
}
