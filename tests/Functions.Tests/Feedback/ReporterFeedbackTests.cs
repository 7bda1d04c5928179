using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AbuseDesk.Functions.Feedback;
using AbuseDesk.Functions.Notifications;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Tests.Feedback;

/// <summary>
/// Reporters who asked for feedback, end to end on Azurite and maildev: the "parsed" mail, the "all cases ended"
/// mail, the per-event outcomes of GET /api/reports/{id}, and that none of it names the customer. Each test makes
/// its own reporter (a fresh address) and uses its own resources under 2001:db8:80::/44.
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class ReporterFeedbackTests(DeskApp app)
{
    // What identifies the customer behind 2001:db8:80::/44 (DeskApp.Allocations): none of it may reach a reporter.
    private static readonly string[] CustomerIdentity = ["cust-feedback", "vm-feedback", "feedback-customer@customer.test"];

    private async Task<(string Key, string Email)> NewReporterAsync(bool wantsFeedback)
    {
        var email = $"fb-{Guid.NewGuid():N}@reporter.test";
        using var create = app.Ops(HttpMethod.Post, "/api/ops/reporters");
        create.Content = JsonContent.Create(new { name = "Feedback reporter", contactEmail = email, wantsFeedback });
        using var response = await app.Http.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (JsonNode.Parse(await response.Content.ReadAsStringAsync())!["key"]!.GetValue<string>(), email);
    }

    private async Task<string> PostEventsAsync(string key, params string[] ips)
    {
        var events = ips.Select(ip => $$"""{"ip":"{{ip}}","abuseClass":"bruteforce","reportType":"ssh-login-attack","occurredAt":"2026-11-20T10:00:00Z","evidence":"feedback {{Guid.NewGuid():N}}"}""");
        using var posted = await app.PostReportAsync(Encoding.UTF8.GetBytes($$"""{"events":[{{string.Join(",", events)}}]}"""), "application/json", key);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var reportId = JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        await app.WaitForReportAsync(reportId);
        return reportId;
    }

    private async Task<(HttpStatusCode Status, string Text)> ReporterGetAsync(string key, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Add("Authorization", $"Bearer {key}");
        using var response = await app.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<List<JsonNode>> MailsAboutAsync(string email, string reportId, int atLeast)
    {
        List<JsonNode> mails = [];
        await Eventually.Async(async () => (mails = (await app.Mail.MailsToAsync(email))
                .Where(m => m["subject"]!.GetValue<string>().Contains(reportId, StringComparison.Ordinal)).ToList()).Count >= atLeast,
            TimeSpan.FromSeconds(30), $"{atLeast} feedback mail(s) about report {reportId} to {email}");
        return mails;
    }

    private async Task<string> CaseOfAsync(string reportId, string ip)
    {
        var ops = await app.OpsJsonAsync($"/api/ops/reports/{reportId}");
        var caseId = ops["events"]!.AsArray().Single(e => e!["ip"]!.GetValue<string>() == ip)!["caseId"]!.GetValue<string>();
        JsonNode? seen = null;
        try
        {
            await Eventually.Async(async () => (seen = await app.OpsJsonAsync($"/api/ops/cases/{caseId}"))["status"]!.GetValue<string>() == "notified",
                TimeSpan.FromSeconds(30), $"case {caseId} to be notified");
        }
        catch (TimeoutException ex)
        {
            var lines = string.Join('\n', app.Log.Split('\n').Where(l => l.Contains(caseId, StringComparison.Ordinal)).TakeLast(40));
            System.IO.File.WriteAllText(Path.Combine(Path.GetTempPath(), $"desk-{caseId}.log"), app.Log);
            throw new TimeoutException($"{ex.Message}: status {seen?["status"]}, orchestration {seen?["orchestration"]?.ToJsonString()}\n{lines}", ex);
        }

        return caseId;
    }

    private async Task CloseAsync(string caseId)
    {
        using var request = app.Ops(HttpMethod.Post, $"/api/ops/cases/{caseId}/actions");
        request.Content = JsonContent.Create(new { action = "close", actor = "feedback-test", reason = "cleaned up by the customer, confirmed by phone" });
        using var response = await app.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task ResolveInPortalAsync(string caseId)
    {
        var token = AbuseDesk.Domain.Portal.CaseLinkToken.Create(caseId, DateTimeOffset.UtcNow.AddDays(1), "k1", Encoding.ASCII.GetBytes("test-signing-key-0123456789abcdef0123"));
        var url = $"{app.BaseUrl}portal/cases/{token}";
        var portal = new PortalSession(app);
        var page = await portal.SubmitAsync(url, await portal.OpenAsync(url), "fixed", "Closed the SSH port and rotated every key");
        Assert.Equal(HttpStatusCode.OK, page.Status);
    }

    private static void AssertNoCustomerIdentity(string text, params string[] more)
    {
        foreach (var secret in CustomerIdentity.Concat(more))
        {
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static string Whole(JsonNode mail) => mail.ToJsonString();

    [Fact]
    public async Task A_reporter_hears_what_the_report_came_to_and_once_more_when_all_its_cases_ended()
    {
        var (key, email) = await NewReporterAsync(wantsFeedback: true);
        var reportId = await PostEventsAsync(key, "2001:db8:80:1::5", "2001:db8:80:2::5", "2001:db8:ffff::80");
        var first = await CaseOfAsync(reportId, "2001:db8:80:1::5");
        var second = await CaseOfAsync(reportId, "2001:db8:80:2::5");

        // (a) parsed: three events, two on our network as two cases, one outside it.
        var parsed = Assert.Single(await MailsAboutAsync(email, reportId, 1));
        var text = parsed["text"]!.GetValue<string>();
        Assert.Equal($"[AbuseDesk] Your report {reportId}: 3 events, 2 on our network", parsed["subject"]!.GetValue<string>());
        Assert.Contains("2 concern our customers: we passed them on as 2 cases and asked for a fix.", text, StringComparison.Ordinal);
        Assert.Contains("1 × not in our network", text, StringComparison.Ordinal);
        // Feedback is gathered per reporter: it threads per reporter, and a window with one report is that report's own mail.
        var reporterId = (await app.Storage.Cases.GetEntityAsync<ReportFeedbackEntity>(ReportFeedbackEntity.PartitionFor(reportId), ReportFeedbackEntity.Row)).Value.ReporterId;
        Assert.Equal(reporterId, parsed["headers"]!["x-abusedesk-reporter"]!.GetValue<string>());
        Assert.Null(parsed["headers"]!["x-abusedesk-case"]);
        AssertNoCustomerIdentity(Whole(parsed), first, second);

        // Per event, for the reporter: outcome and case status, a per-report reference, nothing about the customer.
        var (status, body) = await ReporterGetAsync(key, $"/api/reports/{reportId}");
        Assert.Equal(HttpStatusCode.OK, status);
        AssertNoCustomerIdentity(body, first, second);
        var report = JsonNode.Parse(body)!;
        Assert.Equal("parsed", report["status"]!.GetValue<string>());
        Assert.Equal(2, report["routedCount"]!.GetValue<int>());
        Assert.False(report["truncated"]!.GetValue<bool>());
        var events = report["events"]!.AsArray();
        Assert.Equal(["open", "open", "unrouted: not our network"], events.Select(e => e!["outcome"]!.GetValue<string>()));
        Assert.Equal([0, 1, 2], events.Select(e => e!["index"]!.GetValue<int>()));
        Assert.Equal("notified", events[0]!["caseStatus"]!.GetValue<string>());
        Assert.Null(events[2]!["caseRef"]);
        Assert.NotEqual(events[0]!["caseRef"]!.GetValue<string>(), events[1]!["caseRef"]!.GetValue<string>());
        Assert.All(events, e => Assert.Null(e!["customerId"]));

        // (b) one case ends: not yet; the second ends: one mail for the report saying how both ended.
        await CloseAsync(first);
        await Eventually.Async(async () => JsonNode.Parse((await ReporterGetAsync(key, $"/api/reports/{reportId}")).Text)!["events"]![0]!["outcome"]!.GetValue<string>() == "closed",
            TimeSpan.FromSeconds(10), "the closed case in the report's outcomes");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(await app.Mail.MailsToAsync(email));

        await ResolveInPortalAsync(second);
        var mails = await MailsAboutAsync(email, reportId, 2);
        var ended = Assert.Single(mails, m => m["subject"]!.GetValue<string>().EndsWith("all 2 cases are closed", StringComparison.Ordinal));
        var endedText = ended["text"]!.GetValue<string>();
        Assert.Contains("1 × bruteforce: closed by our abuse team", endedText, StringComparison.Ordinal);
        Assert.Contains("1 × bruteforce: our customer fixed the problem", endedText, StringComparison.Ordinal);
        AssertNoCustomerIdentity(Whole(ended), first, second, "rotated every key", "confirmed by phone");
        var after = JsonNode.Parse((await ReporterGetAsync(key, $"/api/reports/{reportId}")).Text)!["events"]!.AsArray();
        Assert.Equal(["closed", "resolved", "unrouted: not our network"], after.Select(e => e!["outcome"]!.GetValue<string>()));

        // Redelivered and repeated messages of every kind send nothing more.
        var feedback = app.Storage.Queue(DeskStorage.ReporterFeedbackQueue);
        await feedback.SendMessageAsync(ReporterFeedbackMessage.ForReport(reportId));
        await feedback.SendMessageAsync(ReporterFeedbackMessage.ForEndedCase(first));
        await feedback.SendMessageAsync(ReporterFeedbackMessage.ForEndedCase(second));
        await FeedbackRedelivery.RedeliverAllAsync(app, reporterId);

        await Eventually.Async(async () => (await feedback.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, TimeSpan.FromSeconds(15), "the feedback queue to drain");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(2, (await app.Mail.MailsToAsync(email)).Count);
    }

    [Fact]
    public async Task A_reporter_who_asked_for_no_feedback_gets_no_mail_but_still_reads_the_outcomes()
    {
        var (key, email) = await NewReporterAsync(wantsFeedback: false);
        var reportId = await PostEventsAsync(key, "2001:db8:80:3::5", "2001:db8:ffff::81");
        var caseId = await CaseOfAsync(reportId, "2001:db8:80:3::5");
        await CloseAsync(caseId);

        await Eventually.Async(async () => JsonNode.Parse((await ReporterGetAsync(key, $"/api/reports/{reportId}")).Text)!["events"]![0]!["outcome"]!.GetValue<string>() == "closed",
            TimeSpan.FromSeconds(10), "the closed case in the report's outcomes");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Empty(await app.Mail.MailsToAsync(email));
        Assert.False((await app.Storage.Cases.GetEntityIfExistsAsync<ReportFeedbackEntity>(ReportFeedbackEntity.PartitionFor(reportId), ReportFeedbackEntity.Row)).HasValue);
    }

    [Fact]
    public async Task A_failed_report_is_answered_with_why()
    {
        var (key, email) = await NewReporterAsync(wantsFeedback: true);
        using var posted = await app.PostReportAsync(Encoding.UTF8.GetBytes($$"""{"nonsense":"{{Guid.NewGuid():N}}"}"""), "application/json", key);
        var reportId = JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        var report = await app.WaitForReportAsync(reportId);
        Assert.Equal("failed", report["status"]!.GetValue<string>());

        var mail = Assert.Single(await MailsAboutAsync(email, reportId, 1));
        Assert.Equal($"[AbuseDesk] Your report {reportId} could not be read", mail["subject"]!.GetValue<string>());
        Assert.Contains("Why: ", mail["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(report["error"]!.GetValue<string>(), mail["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_outcomes_come_a_page_at_a_time()
    {
        var (key, _) = await NewReporterAsync(wantsFeedback: false);
        var reportId = await PostEventsAsync(key, "2001:db8:80:4::1", "2001:db8:80:4::2", "2001:db8:ffff::82", "2001:db8:80:4::3", "2001:db8:ffff::83");

        var page1 = JsonNode.Parse((await ReporterGetAsync(key, $"/api/reports/{reportId}?limit=2")).Text)!;
        Assert.Equal([0, 1], page1["events"]!.AsArray().Select(e => e!["index"]!.GetValue<int>()));
        Assert.True(page1["truncated"]!.GetValue<bool>());
        Assert.Equal(2, page1["nextFrom"]!.GetValue<int>());
        // Events of one case share the reference.
        Assert.Equal(page1["events"]![0]!["caseRef"]!.GetValue<string>(), page1["events"]![1]!["caseRef"]!.GetValue<string>());

        var last = JsonNode.Parse((await ReporterGetAsync(key, $"/api/reports/{reportId}?from=3&limit=2")).Text)!;
        Assert.Equal([3, 4], last["events"]!.AsArray().Select(e => e!["index"]!.GetValue<int>()));
        Assert.Equal("unrouted: not our network", last["events"]![1]!["outcome"]!.GetValue<string>());
        Assert.False(last["truncated"]!.GetValue<bool>());
        Assert.Null(last["nextFrom"]);

        var (bad, problem) = await ReporterGetAsync(key, $"/api/reports/{reportId}?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Contains("limit", problem, StringComparison.Ordinal);

        // Another reporter's key sees nothing of it.
        var (otherStatus, _) = await ReporterGetAsync((await NewReporterAsync(wantsFeedback: false)).Key, $"/api/reports/{reportId}");
        Assert.Equal(HttpStatusCode.NotFound, otherStatus);
    }
}
