using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AbuseDesk.Functions.Tests.Cases;

/// <summary>
/// The at-least-once promise under a hard crash: the app is SIGKILLed while 10,000 events for 1,000 cases (ten
/// reports that each name every case) are in flight, started again, and then every event is attached exactly
/// once, no case is duplicated, no customer gets a notification step twice (counted in maildev, where the
/// mails really landed), and every case's orchestration runs on: none failed, none stuck past a timer.
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class CrashTests(DeskApp app, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Reports = 10;

    /// <summary>host.json's batchSize + newBatchThreshold: the most email-outbox messages one process runs at once.</summary>
    private const int InFlightMails = 16 + 8;

    [Fact]
    public async Task A_SIGKILL_mid_processing_loses_nothing_and_duplicates_nothing()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Phase(string what) => output.WriteLine($"crash: {clock.Elapsed.TotalSeconds,6:F1} s  {what}");
        var reportIds = new List<string>();
        for (var r = 0; r < Reports; r++)
        {
            // Each report names every crash resource once: 10 events per case in the end.
            var events = Enumerable.Range(0, DeskApp.CrashResources).Select(i =>
                $$"""{"ip":"2001:db8:100:{{i:x}}::{{r + 1:x}}","abuseClass":"scanning","reportType":"crash-scan","occurredAt":"2026-11-20T10:{{r:D2}}:00Z","evidence":"report {{r}} resource {{i}}"}""");
            var body = Encoding.UTF8.GetBytes($$"""{"events":[{{string.Join(",", events)}}]}""");
            using var posted = await app.PostReportAsync(body, "application/json");
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
            reportIds.Add(JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>());
        }

        // Let the work get well under way, then pull the plug.
        // maildev's API returns every mail at once: poll it rarely, or the test itself slows the SMTP side down.
        await Eventually.Async(async () => (await CrashMailsAsync()).Count >= 20, TimeSpan.FromSeconds(180), "the first crash-case notices", TimeSpan.FromSeconds(2));
        Phase("first notices seen; killing the app");
        app.Kill();
        await app.StartProcessAsync();
        Phase("app restarted");

        foreach (var reportId in reportIds)
        {
            var report = await WaitParsedAsync(reportId);
            Assert.Equal(DeskApp.CrashResources, report["eventCount"]!.GetValue<int>());
            Assert.Equal(DeskApp.CrashResources, report["routedCount"]!.GetValue<int>());
        }

        Phase("every report parsed");
        // Every case: exactly one per resource, 10 events each, notified once.
        var cases = new List<JsonNode>();
        for (var c = 0; c < 100; c++)
        {
            cases.AddRange((await app.OpsJsonAsync($"/api/ops/cases?customerId=cust-crash-{c}&limit=1000"))["cases"]!.AsArray().Select(n => n!));
        }

        Assert.Equal(DeskApp.CrashResources, cases.Count);
        Assert.Equal(DeskApp.CrashResources, cases.Select(c => c["resourceId"]!.GetValue<string>()).Distinct().Count());
        Assert.All(cases, c => Assert.Equal(Reports, c["eventCount"]!.GetValue<int>()));
        Assert.Equal(Reports * DeskApp.CrashResources, cases.Sum(c => c["eventCount"]!.GetValue<int>()));

        Phase("cases counted");
        var caseIds = cases.Select(c => c["caseId"]!.GetValue<string>()).ToHashSet();
        var seen = 0;
        await Eventually.Async(async () => (seen = (await CrashMailsAsync()).Count) >= DeskApp.CrashResources, TimeSpan.FromSeconds(300), $"a first notice for every crash case (seen {seen})", TimeSpan.FromSeconds(5));
        await Task.Delay(TimeSpan.FromSeconds(3));
        var mails = await CrashMailsAsync();
        Phase("every first notice seen");
        // One notification step per case: every case's first notice is ONE mail (one Message-ID, rendered once).
        // SMTP has no idempotency key, so a mail handed to the server in the instant before the kill, and not
        // yet marked sent, is handed over again after the restart — as the same message, which mail clients
        // collapse. Such redeliveries are bounded by the mails in flight when the process died.
        var perCase = mails.GroupBy(CaseIdOf).ToDictionary(g => g.Key, g => g.Select(m => m["headers"]!["message-id"]!.GetValue<string>()).Distinct().Count());
        Assert.Equal(DeskApp.CrashResources, perCase.Count);
        Assert.All(perCase, p => Assert.Equal(1, p.Value));
        Assert.True(perCase.Keys.All(caseIds.Contains), "every mail belongs to one of the cases");
        var redelivered = mails.Count - perCase.Count;
        output.WriteLine($"crash: {mails.Count} mails for {perCase.Count} cases; {redelivered} SMTP redeliveries of an identical message");
        Assert.InRange(redelivered, 0, InFlightMails);

        // Leave the desk idle for the next test: the mail queue drains first.
        await Eventually.Async(async () =>
            (await app.Storage.Queue(AbuseDesk.Functions.Storage.DeskStorage.EmailOutboxQueue).PeekMessagesAsync(1)).Value.Length == 0,
            TimeSpan.FromSeconds(300), "the mail queue to drain", TimeSpan.FromSeconds(1));

        Phase("queues drained");
        // No case's orchestration failed, and none sits on a timer that passed without its step (here: deadlines are
        // hours away, so a late timer would be one the crash lost).
        Assert.Empty((await app.OpsJsonAsync("/api/ops/orchestrations?runtimeStatus=Failed&limit=1000"))["instances"]!.AsArray());
        Assert.Empty((await app.OpsJsonAsync("/api/ops/orchestrations?lateBy=PT1M&limit=1000"))["instances"]!.AsArray());
        var running = 0;
        string? continuation = null;
        do
        {
            var page = await app.OpsJsonAsync("/api/ops/orchestrations?runtimeStatus=Running,Pending&limit=1000" + (continuation is null ? "" : "&continuation=" + Uri.EscapeDataString(continuation)));
            running += page["instances"]!.AsArray().Count(i => caseIds.Contains(i!["caseId"]?.GetValue<string>() ?? ""));
            continuation = page["continuation"]?.GetValue<string>();
        }
        while (continuation is not null);
        Assert.Equal(DeskApp.CrashResources, running);

        // Every event of every report carries its case.
        foreach (var reportId in reportIds)
        {
            var events = (await app.OpsJsonAsync($"/api/ops/reports/{reportId}"))["events"]!.AsArray();
            Assert.Equal(DeskApp.CrashResources, events.Count);
            Assert.All(events, e => Assert.Contains(e!["caseId"]!.GetValue<string>(), caseIds));
        }
    }

    private async Task<JsonNode> WaitParsedAsync(string reportId)
    {
        JsonNode? status = null;
        await Eventually.Async(async () =>
        {
            using var request = app.Ops(HttpMethod.Get, $"/api/reports/{reportId}");
            using var response = await app.Http.SendAsync(request);
            status = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            return status!["status"]!.GetValue<string>() == "parsed";
        }, TimeSpan.FromSeconds(300), $"crash report {reportId} to be parsed (last: {status?["status"]})", TimeSpan.FromSeconds(1));
        return status!;
    }

    private Task<List<JsonNode>> CrashMailsAsync() =>
        app.Mail.MailsAsync(to => to.EndsWith("@crash.test", StringComparison.OrdinalIgnoreCase));

    private static string CaseIdOf(JsonNode mail)
    {
        var subject = mail["subject"]!.GetValue<string>();
        var start = subject.IndexOf('#', StringComparison.Ordinal) + 1;
        return subject[start..subject.IndexOf(']', StringComparison.Ordinal)];
    }
}
