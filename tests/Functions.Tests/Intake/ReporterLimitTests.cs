using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AbuseDesk.Functions.Tests.Ops;

namespace AbuseDesk.Functions.Tests.Intake;

/// <summary>Each reporter's limits: new reports a minute, bytes and events a day; 429 with Retry-After past them.</summary>
[Collection(DeskCollection.Name)]
public sealed class ReporterLimitTests(DeskApp app)
{
    private async Task<(string Id, string Key)> NewReporterAsync(object limits)
    {
        using var create = app.Ops(HttpMethod.Post, "/api/ops/reporters");
        create.Content = JsonContent.Create(new { name = "Limited reporter", wantsFeedback = false, limits });
        using var response = await app.Http.SendAsync(create);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToJsonString());
        return (body["reporterId"]!.GetValue<string>(), body["key"]!.GetValue<string>());
    }

    // A customer of its own: the other tests' events would land on the same case.
    private const string EventsNetwork = "2001:db8:93";

    private static byte[] Events(int count, string prefix, int padTo = 0, string network = "2001:db8:91")
    {
        var events = Enumerable.Range(0, count).Select(i =>
            $$"""{"ip":"{{network}}::{{prefix}}:{{i:x}}","abuseClass":"bruteforce","reportType":"ssh-login-attack","occurredAt":"2026-12-07T10:00:00Z","evidence":"{{Guid.NewGuid():N}}"}""");
        var json = $$"""{"events":[{{string.Join(",", events)}}]}""";
        return Encoding.UTF8.GetBytes(json.Length < padTo ? json + new string(' ', padTo - json.Length) : json);
    }

    private static async Task<JsonNode> ProblemOf(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task Past_the_reports_a_minute_a_new_report_gets_429_with_Retry_After_and_a_resent_one_still_its_id()
    {
        var (_, key) = await NewReporterAsync(new { reportsPerMinute = 2 });
        var first = Events(1, "a1");
        using var accepted = await app.PostReportAsync(first, "application/json", key);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var firstId = JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();

        // Two a minute: within five quick posts the window is full at least once, whichever second they start in.
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 5 && refused is null; i++)
        {
            var response = await app.PostReportAsync(Events(1, $"a{i + 2}"), "application/json", key);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                response.Dispose();
            }
        }

        Assert.NotNull(refused);
        using (refused)
        {
            var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(retryAfter, 1, 60);
            var problem = await ProblemOf(refused);
            Assert.Equal("reportsPerMinute", problem["limit"]!.GetValue<string>());
            Assert.Contains("2 new reports a minute", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        // The same bytes again are not a new report: the sender's retry gets its id, not a refusal.
        using var again = await app.PostReportAsync(first, "application/json", key);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(firstId, JsonNode.Parse(await again.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bytes_a_day_refuse_what_does_not_fit_today_and_413_what_never_could()
    {
        var (_, key) = await NewReporterAsync(new { bytesPerDay = 4096 });

        using var first = await app.PostReportAsync(Events(1, "b1", padTo: 3000), "application/json", key);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        using var second = await app.PostReportAsync(Events(1, "b2", padTo: 1500), "application/json", key);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.InRange(int.Parse(second.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 86_400);
        Assert.Equal("bytesPerDay", (await ProblemOf(second))["limit"]!.GetValue<string>());

        using var small = await app.PostReportAsync(Events(1, "b3"), "application/json", key);
        Assert.Equal(HttpStatusCode.Accepted, small.StatusCode);

        using var huge = await app.PostReportAsync(Events(1, "b4", padTo: 5000), "application/json", key);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Contains("daily allowance", (await ProblemOf(huge))["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_report_whose_events_do_not_fit_the_day_fails_whole_and_routes_none()
    {
        var (reporterId, key) = await NewReporterAsync(new { eventsPerDay = 5 });

        var fits = await PostAsync(key, Events(4, "c1", network: EventsNetwork));
        Assert.Equal("parsed", fits["status"]!.GetValue<string>());

        var over = await PostAsync(key, Events(3, "c2", network: EventsNetwork));
        Assert.Equal("failed", over["status"]!.GetValue<string>());
        Assert.Contains("3 events would pass this reporter's limit of 5 events a day", over["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, over["routedCount"]!.GetValue<int>());

        var last = await PostAsync(key, Events(1, "c3", network: EventsNetwork));
        Assert.Equal("parsed", last["status"]!.GetValue<string>());

        using var refused = await app.PostReportAsync(Events(1, "c4", network: EventsNetwork), "application/json", key);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("eventsPerDay", (await ProblemOf(refused))["limit"]!.GetValue<string>());

        // The case holds the five events that fitted, none of the refused report's.
        var @case = Assert.Single(await app.CasesAsync("cust-limits-events"));
        Assert.Equal(5, @case!["eventCount"]!.GetValue<int>());

        var view = await app.OpsJsonAsync($"/api/ops/reporters/{reporterId}");
        Assert.Equal(5, view["limits"]!["eventsPerDay"]!.GetValue<long>());
        Assert.Equal(["eventsPerDay"], view["limits"]!["own"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(5, view["usage"]!["eventsToday"]!.GetValue<long>());
        Assert.Equal(3, view["usage"]!["reportsToday"]!.GetValue<long>());
    }

    [Fact]
    public async Task Ops_set_and_change_a_reporters_limits_and_bad_ones_are_refused_naming_the_field()
    {
        using var bad = app.Ops(HttpMethod.Post, "/api/ops/reporters");
        bad.Content = JsonContent.Create(new { name = "Bad limits", limits = new { reportsPerMinute = 0 } });
        using var refused = await app.Http.SendAsync(bad);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("'limits.reportsPerMinute'", (await ProblemOf(refused))["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        var (reporterId, _) = await NewReporterAsync(new { reportsPerMinute = 5 });
        var (response, body) = await app.SendAsync(HttpMethod.Put, $"/api/ops/reporters/{reporterId}", new { limits = new { eventsPerDay = 2_000_000 }, actor = "alice", reason = "a feed" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2_000_000, body!["limits"]!["eventsPerDay"]!.GetValue<long>());
        Assert.Equal(5, body["limits"]!["reportsPerMinute"]!.GetValue<int>());

        var audit = await app.OpsJsonAsync($"/api/ops/audit?target={reporterId}");
        Assert.Contains(audit["entries"]!.AsArray(), e => e!["detail"]?.GetValue<string>()?.Contains("eventsPerDay=2000000", StringComparison.Ordinal) == true);
    }

    private async Task<JsonNode> PostAsync(string key, byte[] body)
    {
        using var posted = await app.PostReportAsync(body, "application/json", key);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        return await app.WaitForReportAsync(JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>());
    }
}
