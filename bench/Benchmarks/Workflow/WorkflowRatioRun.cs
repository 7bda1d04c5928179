using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AbuseDesk.Benchmarks.EndToEnd;
using AbuseDesk.DevHost;
using Azure.Data.Tables;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AbuseDesk.Benchmarks.Workflow;

/// <summary>
/// The desk's case orchestration against the engine alone, in one run on one Azurite (bench/workflow MODE=ratio).
/// Bare: N orchestrations of the case's shape with no desk code — an activity, an external event raced against a
/// timer of D seconds, an activity — on the same engine (DevHost's DurableEngine: the Azure Storage provider behind
/// the gRPC sidecar, host.json's settings) in a task hub of their own. Desk: one report of N events on N new
/// resources through the running app: N cases, each notified (a step), its deadline of D seconds raced against the
/// customer's input, then the deadline's step. Each side's rate is N over the time from the first start (the POST,
/// for the desk: parsing included) to the last case done.
/// </summary>
public static class WorkflowRatioRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = LoadRun.IntArg(args, "--cases", 1000);
        var deadline = TimeSpan.FromSeconds(LoadRun.IntArg(args, "--deadline", 10));
        var url = LoadRun.StringArg(args, "--url", "http://127.0.0.1:7572");
        var opsKey = LoadRun.StringArg(args, "--ops-key", "");
        var storage = LoadRun.StringArg(args, "--storage", "");
        var hostJson = LoadRun.StringArg(args, "--host-json", "src/Functions/host.json");

        var bare = await BareAsync(count, deadline, storage, hostJson);
        Console.WriteLine($"ratio: bare {count:N0} orchestrations in {bare.TotalSeconds:F1} s");
        var desk = await DeskAsync(count, url, opsKey, storage);
        Console.WriteLine($"ratio: desk {count:N0} cases in {desk.TotalSeconds:F1} s");
        var (deskRate, bareRate) = (count / desk.TotalSeconds, count / bare.TotalSeconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio desk/bare: {deskRate / bareRate:F2} (desk {deskRate:F1} cases/s, bare {bareRate:F1} cases/s)"));
        return 0;
    }

    private static async Task<TimeSpan> BareAsync(int count, TimeSpan deadline, string storage, string hostJsonPath)
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationManager();
        Microsoft.Extensions.Configuration.EnvironmentVariablesExtensions.AddEnvironmentVariables(configuration);
        var settings = new HostJson(hostJsonPath, configuration).Durable with { HubName = "BareBench" };
        using var logs = LoggerFactory.Create(l => l.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
        await using var engine = await DurableEngine.StartAsync(settings, storage, logs, CancellationToken.None);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(engine.Channel);
            worker.AddTasks(registry =>
            {
                registry.AddActivityFunc<int, int>("BareStep", (_, n) => n);
                registry.AddOrchestratorFunc<int>("BareCase", async (context, n) =>
                {
                    await context.CallActivityAsync<int>("BareStep", n);
                    using var cancel = new CancellationTokenSource();
                    var signal = context.WaitForExternalEvent<string>("case-signal", cancel.Token);
                    var timer = context.CreateTimer(context.CurrentUtcDateTime + deadline, cancel.Token);
                    await Task.WhenAny(signal, timer);
                    cancel.Cancel();
                    await context.CallActivityAsync<int>("BareStep", n);
                });
            });
        });
        builder.Services.AddDurableTaskClient(client => client.UseGrpc(engine.Channel));
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<DurableTaskClient>();

        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            await client.ScheduleNewOrchestrationInstanceAsync("BareCase", i, new StartOrchestrationOptions($"bare-{i}"), ct));
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            var done = 0;
            await foreach (var _ in client.GetAllInstancesAsync(new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Completed], PageSize = 1000 }))
            {
                done++;
            }

            if (done >= count)
            {
                break;
            }
        }

        var elapsed = clock.Elapsed;
        await host.StopAsync();
        return elapsed;
    }

    private static async Task<TimeSpan> DeskAsync(int count, string url, string opsKey, string storage)
    {
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Add("x-functions-key", opsKey);
        var cases = new TableClient(storage, "cases");
        // Customers of yesterday: their deadlines suspend (an old customer's would be held for a person, a step all the same).
        var key = await WorkflowRun.SeedAsync(http, count, DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "ratio");
        using var request = WorkflowRun.NewCasesReport(WorkflowRun.Events(count, "ratio"), key);
        var clock = Stopwatch.StartNew();
        (await http.SendAsync(request)).EnsureSuccessStatusCode();
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            var done = 0;
            // Past the deadline's step: suspended, or held for a person by a safety (the breaker trips after its hourly limit).
            await foreach (var _ in cases.QueryAsync<TableEntity>("RowKey eq 'case' and Status ne 'new' and Status ne 'notified'", select: ["PartitionKey"]))
            {
                done++;
            }

            if (done >= count)
            {
                return clock.Elapsed;
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(30))
            {
                throw new TimeoutException($"desk: only {done} of {count} cases past their deadline after 30 minutes");
            }
        }
    }
}
