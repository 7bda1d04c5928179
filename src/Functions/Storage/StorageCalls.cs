using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using AbuseDesk.Functions.Telemetry;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AbuseDesk.Functions.Storage;

/// <summary>
/// Counts every storage request by what it does ("table cases batch", "queue email-outbox receive"). Storage is
/// billed per transaction and, on Azurite, is the desk's speed limit, so "how many calls does a case transition
/// cost" has to be answerable from a running desk: the counts go to the <c>abusedesk.storage.requests</c> metric
/// and, when <c>AbuseDesk:Storage:CallLogSeconds</c> is set, to the log as a table (docs/performance.md).
/// </summary>
public sealed class StorageCalls
{
    private static readonly Counter<long> Requests = DeskMetrics.Meter.CreateCounter<long>("abusedesk.storage.requests", "{request}", "Storage requests by service, target and operation");
    private readonly ConcurrentDictionary<string, Tally> _tallies = new(StringComparer.Ordinal);

    public sealed class Tally
    {
        public long Count;
        public long Ticks;
    }

    public IReadOnlyDictionary<string, Tally> Snapshot() => _tallies;

    /// <summary>The pipeline policy for one service's clients ("table", "queue", "blob").</summary>
    public HttpPipelinePolicy For(string service) => new Policy(this, service);

    private void Count(string service, RequestMethod method, Uri uri, long started)
    {
        var (target, operation) = Classify(service, method, uri);
        var tally = _tallies.GetOrAdd($"{service} {target} {operation}", _ => new Tally());
        Interlocked.Increment(ref tally.Count);
        Interlocked.Add(ref tally.Ticks, Stopwatch.GetTimestamp() - started);
        Requests.Add(1, new("service", service), new("target", target), new("operation", operation));
    }

    /// <summary>What a request does, from its method and path alone (no bodies, no keys: those are customer data).</summary>
    public static (string Target, string Operation) Classify(string service, RequestMethod method, Uri uri)
    {
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        // Azurite puts the account first ("/devstoreaccount1/cases(...)"); Azure has it in the host name.
        var path = segments.Length > 0 && segments[0].StartsWith("devstoreaccount", StringComparison.Ordinal) ? segments[1..] : segments;
        var verb = method.ToString().ToLowerInvariant();
        if (path.Length == 0)
        {
            return ("-", verb);
        }

        switch (service)
        {
            case "table" when path[0] == "$batch":
                return ("-", "batch");
            case "table":
                var paren = path[0].IndexOf('(', StringComparison.Ordinal);
                var table = paren < 0 ? path[0] : path[0][..paren];
                var keyed = paren >= 0 && path[0].Length > paren + 2;
                return (table, verb switch
                {
                    "get" => keyed ? "read" : "query",
                    "put" => "replace",
                    "patch" or "merge" => "merge",
                    "post" => "insert",
                    _ => verb,
                });
            case "queue":
                return (path[0], (path.Length, verb) switch
                {
                    (2, "get") => "receive",
                    (2, "post") => "send",
                    ( > 2, "put") => "update",
                    _ => verb,
                });
            default:
                return (path[0], verb);
        }
    }

    private sealed class Policy(StorageCalls calls, string service) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var started = Stopwatch.GetTimestamp();
            ProcessNext(message, pipeline);
            calls.Count(service, message.Request.Method, message.Request.Uri.ToUri(), started);
        }

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var started = Stopwatch.GetTimestamp();
            await ProcessNextAsync(message, pipeline);
            calls.Count(service, message.Request.Method, message.Request.Uri.ToUri(), started);
        }
    }
}

/// <summary>Writes <see cref="StorageCalls"/> to the log every <c>AbuseDesk:Storage:CallLogSeconds</c>: calls and mean latency since the last line.</summary>
public sealed class StorageCallLog(StorageCalls calls, Microsoft.Extensions.Options.IOptions<AbuseDeskOptions> options, ILogger<StorageCallLog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(options.Value.Storage.CallLogSeconds);
        if (every <= TimeSpan.Zero)
        {
            return;
        }

        var last = new Dictionary<string, (long Count, long Ticks)>(StringComparer.Ordinal);
        using var timer = new PeriodicTimer(every);
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
        {
            var lines = new List<string>();
            foreach (var (key, tally) in calls.Snapshot().OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var (count, ticks) = (Interlocked.Read(ref tally.Count), Interlocked.Read(ref tally.Ticks));
                var (lastCount, lastTicks) = last.GetValueOrDefault(key);
                last[key] = (count, ticks);
                if (count > lastCount)
                {
                    var meanMs = (ticks - lastTicks) * 1000.0 / Stopwatch.Frequency / (count - lastCount);
                    lines.Add($"{key,-44} {count - lastCount,8} calls {meanMs,8:F1} ms");
                }
            }

            if (lines.Count > 0)
            {
                logger.LogWarning("Storage calls in the last {Seconds} s:\n{Lines}", every.TotalSeconds, string.Join("\n", lines));
            }
        }
    }
}
