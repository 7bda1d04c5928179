using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AbuseDesk.Benchmarks.EndToEnd;
using Azure.Data.Tables;

namespace AbuseDesk.Benchmarks.Workflow;

/// <summary>
/// The case orchestrations under load (bench/workflow starts Azurite, maildev and the app): N events on N resources
/// open N cases at once. Each case's first notice is one orchestration step (one activity writes the case row and its
/// history and sends the mail; the orchestration then waits on its next timer), so notices per second is the desk's
/// step rate; each notice arms a reminder --reminder seconds later, so N reminders (and N deadlines) are armed, and their
/// lateness (handled at − due at) is read back from the history rows. Nothing is polled through the app while the
/// clock runs but a status count.
/// </summary>
public static class WorkflowRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = LoadRun.IntArg(args, "--cases", 10_000);
        var url = LoadRun.StringArg(args, "--url", "http://127.0.0.1:7572");
        var opsKey = LoadRun.StringArg(args, "--ops-key", "");
        var reminder = TimeSpan.FromSeconds(LoadRun.IntArg(args, "--reminder", 120));
        var cases = new TableClient(LoadRun.StringArg(args, "--storage", ""), "cases");
        var queues = new Azure.Storage.Queues.QueueServiceClient(LoadRun.StringArg(args, "--storage", ""));
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Add("x-functions-key", opsKey);

        var key = await SeedAsync(http, count, "2025-01-01", "bench");
        var events = Events(count, "bench");
        using var request = NewCasesReport(events, key);
        var clock = Stopwatch.StartNew();
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        Console.WriteLine($"workflow: {count:N0} new cases over 1,000 customers; reminders {reminder.TotalSeconds:F0} s after each notice");

        // Wait for every first notice. Counting is a table scan that holds up single-threaded Azurite (and so the
        // very transitions being measured) for seconds once the table is big, so the bench waits for the queues to
        // go quiet (cheap calls) and counts only then.
        var notified = 0;
        while (notified < count)
        {
            await QuietAsync(queues);
            notified = await CountAsync(cases, "notified");
            Console.WriteLine($"workflow: {clock.Elapsed.TotalSeconds,6:F0} s  {notified:N0} notified");
            // 10,000 notices at Azurite's ~9 steps/s take about 19 minutes.
            if (clock.Elapsed > TimeSpan.FromMinutes(60))
            {
                Console.WriteLine("workflow: gave up waiting for the notices");
                return 1;
            }
        }

        var notices = await AtAsync(cases, "notified");
        var (first, last) = (notices.Values.Min(), notices.Values.Max());
        Console.WriteLine($"workflow: {notices.Count:N0} first-notice transitions (each: mail, two timers) in {(last - first).TotalSeconds:F1} s → {(notices.Count - 1) / (last - first).TotalSeconds:N0} transitions/s");

        // A second report for every case: each case's news schedules its digest (a transition with a timer, no mail).
        if (!args.Contains("--skip-digest"))
        {
            await DigestPhaseAsync(http, cases, queues, key, events, count);
        }

        // Every reminder is due two minutes after its notice; wait until the last is due, then until all are in.
        var lastDue = last + reminder;
        var wait = lastDue - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        Dictionary<string, DateTimeOffset> reminders;
        await QuietAsync(queues);
        while ((reminders = await AtAsync(cases, "reminded")).Count < notices.Count)
        {
            Console.WriteLine($"workflow: {reminders.Count:N0} of {notices.Count:N0} reminders in");
            // Reminders handled more slowly than the notices went out fall behind: at 2,000 the last was 100 s late.
            if (DateTimeOffset.UtcNow > lastDue + TimeSpan.FromMinutes(30))
            {
                Console.WriteLine("workflow: gave up waiting for the reminders");
                return 1;
            }

            await QuietAsync(queues);
        }

        var lateness = reminders.Select(r => (r.Value - (notices[r.Key] + reminder)).TotalSeconds).Order().ToArray();
        double P(double q) => lateness[Math.Min(lateness.Length - 1, (int)Math.Ceiling(q * lateness.Length) - 1)];
        Console.WriteLine($"workflow: {lateness.Length:N0} reminder timers, lateness p50 {P(0.50):F2} s, p95 {P(0.95):F2} s, p99 {P(0.99):F2} s, max {lateness[^1]:F2} s");
        return 0;
    }

    private static async Task DigestPhaseAsync(HttpClient http, TableClient cases, Azure.Storage.Queues.QueueServiceClient queues, string key, IEnumerable<string> events, int count)
    {
        using (var again = new HttpRequestMessage(HttpMethod.Post, "/api/reports")
        {
            Content = new StringContent($$"""{"events":[{{string.Join(",", events.Select(e => e.Replace("bench ", "again ", StringComparison.Ordinal)))}}]}""", Encoding.UTF8, "application/json"),
        })
        {
            again.Headers.Add("Authorization", $"Bearer {key}");
            (await http.SendAsync(again)).EnsureSuccessStatusCode();
        }

        Dictionary<string, DateTimeOffset> scheduled;
        do
        {
            await QuietAsync(queues);
        }
        while ((scheduled = await AtAsync(cases, "digest-scheduled")).Count < count);

        var (from, to) = (scheduled.Values.Min(), scheduled.Values.Max());
        Console.WriteLine($"workflow: {scheduled.Count:N0} digest-scheduled transitions (each: a timer, no mail) in {(to - from).TotalSeconds:F1} s → {(scheduled.Count - 1) / (to - from).TotalSeconds:N0} transitions/s");
    }

    /// <summary>
    /// One resource per case on <paramref name="count"/> /64s over 1,000 customers (customers since
    /// <paramref name="customerSince"/>: an old customer is held for a person at its deadline, a new one suspended),
    /// and a reporter without limits; returns the reporter's key.
    /// </summary>
    internal static async Task<string> SeedAsync(HttpClient http, int count, string customerSince, string reporterName)
    {
        var allocations = new StringBuilder("cidr,customerId,resourceId,contactEmail,customerSince\n");
        for (var i = 0; i < count; i++)
        {
            allocations.Append(CultureInfo.InvariantCulture, $"2001:db8:{i / 65536:x}:{i % 65536:x}::/64,cust-{i % 1000},vm-{i},noc-{i % 1000}@bench.test,{customerSince}\n");
        }

        (await http.PutAsync("/api/ops/allocations", new StringContent(allocations.ToString(), Encoding.UTF8, "text/csv"))).EnsureSuccessStatusCode();
        var reporter = JsonNode.Parse(await (await http.PostAsJsonAsync("/api/ops/reporters", new { name = reporterName, wantsFeedback = false, limits = new { reportsPerMinute = 1_000_000, bytesPerDay = 1L << 40, eventsPerDay = 1L << 40 } })).Content.ReadAsStringAsync())!;
        return reporter["key"]!.GetValue<string>();
    }

    /// <summary>One event per seeded resource.</summary>
    internal static IEnumerable<string> Events(int count, string tag) => Enumerable.Range(0, count).Select(i =>
        $$"""{"ip":"2001:db8:{{i / 65536:x}}:{{i % 65536:x}}::1","abuseClass":"scanning","reportType":"{{tag}}","occurredAt":"2026-11-20T10:00:00Z","evidence":"{{tag}} {{i}}"}""");

    /// <summary>The report that opens every case at once.</summary>
    internal static HttpRequestMessage NewCasesReport(IEnumerable<string> events, string reporterKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/reports")
        {
            Content = new StringContent($$"""{"events":[{{string.Join(",", events)}}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Authorization", $"Bearer {reporterKey}");
        return request;
    }

    /// <summary>
    /// Until the workflow has nothing at hand: no report being parsed, no mail queued, no workflow message visible
    /// (timer buckets wait invisible until due), three times in a row two seconds apart. Message counts and peeks
    /// cost Azurite little; a table scan costs it seconds.
    /// </summary>
    private static async Task QuietAsync(Azure.Storage.Queues.QueueServiceClient queues)
    {
        var parse = queues.GetQueueClient("reports-parse");
        var mail = queues.GetQueueClient("email-outbox");
        var workflow = queues.GetQueueClient("abusedesk-workitems");
        // With the engine in memory (storageProvider.type InMemory) it has no queues to watch; the counts decide.
        var engineQueue = (await workflow.ExistsAsync()).Value;
        for (var quiet = 0; quiet < 3;)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            var idle = (await parse.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0
                && (await mail.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0
                && (!engineQueue || (await workflow.PeekMessagesAsync(1)).Value.Length == 0);
            quiet = idle ? quiet + 1 : 0;
        }
    }

    private static async Task<int> CountAsync(TableClient cases, string status)
    {
        var n = 0;
        await foreach (var _ in cases.QueryAsync<TableEntity>($"RowKey eq 'case' and Status eq '{status}'", select: ["PartitionKey"]))
        {
            n++;
        }

        return n;
    }

    /// <summary>When each case's history first says <paramref name="what"/>.</summary>
    private static async Task<Dictionary<string, DateTimeOffset>> AtAsync(TableClient cases, string what)
    {
        var at = new Dictionary<string, DateTimeOffset>();
        await foreach (var row in cases.QueryAsync<TableEntity>($"What eq '{what}'", select: ["PartitionKey", "At"]))
        {
            var when = row.GetDateTimeOffset("At")!.Value;
            if (!at.TryGetValue(row.PartitionKey, out var seen) || when < seen)
            {
                at[row.PartitionKey] = when;
            }
        }

        return at;
    }
}
