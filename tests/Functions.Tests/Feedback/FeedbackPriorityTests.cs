using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace AbuseDesk.Functions.Tests.Feedback;

/// <summary>
/// Customer notices and reporter feedback at a low mail rate (<see cref="SlowMailDeskApp"/>, one mail a second): a
/// reporter's burst of reports is followed by a report that opens new cases. The customers' notices must not wait
/// behind the reporter's feedback, and the feedback on the whole burst comes as one mail, not one per report.
/// </summary>
public sealed class FeedbackPriorityTests(SlowMailDeskApp app, ITestOutputHelper output) : IClassFixture<SlowMailDeskApp>
{
    private const int FeedbackReports = 20;
    private const int NewCases = SlowMailDeskApp.PriorityCustomers;

    [Fact]
    public async Task Customer_notices_go_out_before_a_burst_of_reporter_feedback_which_comes_as_one_mail()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var (key, email) = await NewReporterAsync(run);

        // The burst: reports with nothing on our network, each owing its reporter a "parsed" mail.
        var burst = await Task.WhenAll(Enumerable.Range(0, FeedbackReports).Select(i => PostAsync(key,
            $$"""{"ip":"2001:db8:ffff::{{i + 1:x}}","abuseClass":"bruteforce","reportType":"ssh-login-attack","occurredAt":"2026-11-20T10:00:00Z","evidence":"burst {{run}} {{i}}"}""")));
        foreach (var reportId in burst)
        {
            await app.WaitForReportAsync(reportId);
        }

        // Then a report that opens a case for each of ten customers: ten first notices.
        var opened = DateTimeOffset.UtcNow;
        var casesReport = await PostAsync(key, Enumerable.Range(0, NewCases).Select(i =>
            $$"""{"ip":"2001:db8:90:{{i:x}}::{{run[..4]}}","abuseClass":"spam","reportType":"spam","occurredAt":"2026-11-20T10:00:00Z","evidence":"cases {{run}} {{i}}"}""").ToArray());
        var report = await app.WaitForReportAsync(casesReport);
        var caseIds = report["events"]!.AsArray().Select(e => e!["caseId"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(NewCases, caseIds.Count);
        var reportIds = burst.Append(casesReport).ToList();

        List<JsonNode> notices = [];
        await Eventually.Async(async () => (notices = (await app.Mail.MailsAsync(_ => true))
                .Where(m => m["headers"]!["x-abusedesk-case"]?.GetValue<string>() is { } c && caseIds.Contains(c)).ToList()).Count >= NewCases,
            TimeSpan.FromSeconds(120), $"{NewCases} first notices", TimeSpan.FromSeconds(1));
        List<JsonNode> feedback = [];
        await Eventually.Async(async () =>
        {
            feedback = await app.Mail.MailsToAsync(email);
            var text = string.Concat(feedback.Select(m => m["text"]!.GetValue<string>()));
            return reportIds.All(r => text.Contains(r, StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(180), $"feedback on all {reportIds.Count} reports", TimeSpan.FromSeconds(1));

        var lastNotice = notices.Max(Received);
        var firstFeedback = feedback.Min(Received);
        output.WriteLine($"at {SlowMailDeskApp.SlowMailsPerMinute}/min: {NewCases} notices out {(lastNotice - opened).TotalSeconds:0.0} s after their cases were reported; "
            + $"feedback on {reportIds.Count} reports in {feedback.Count} mail(s), the first {(firstFeedback - lastNotice).TotalSeconds:0.0} s after the last notice");
        Assert.Equal(NewCases, notices.Count);
        Assert.True(lastNotice <= firstFeedback, $"the last notice arrived at {lastNotice:O}, after reporter feedback at {firstFeedback:O}");

        // Every report of the window in one mail, each named once.
        var gathered = Assert.Single(feedback);
        var body = gathered["text"]!.GetValue<string>();
        Assert.All(reportIds, r => Assert.Single(System.Text.RegularExpressions.Regex.Matches(body, System.Text.RegularExpressions.Regex.Escape($"Your report {r}"))));
        Assert.DoesNotContain("priority.test", gathered.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("cust-priority", gathered.ToJsonString(), StringComparison.OrdinalIgnoreCase);

        // Redelivered window and mail messages, on either lane, send nothing more.
        var reporterId = (await app.Storage.Cases.GetEntityAsync<AbuseDesk.Functions.Feedback.ReportFeedbackEntity>(
            AbuseDesk.Functions.Feedback.ReportFeedbackEntity.PartitionFor(casesReport), AbuseDesk.Functions.Feedback.ReportFeedbackEntity.Row)).Value.ReporterId;
        Assert.Equal(1, await FeedbackRedelivery.RedeliverAllAsync(app, reporterId));
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Single(await app.Mail.MailsToAsync(email));
    }

    private static DateTimeOffset Received(JsonNode mail) => DateTimeOffset.Parse(mail["time"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

    private async Task<(string Key, string Email)> NewReporterAsync(string run)
    {
        var email = $"burst-{run}@reporter.test";
        using var create = app.Ops(HttpMethod.Post, "/api/ops/reporters");
        create.Content = JsonContent.Create(new { name = "Burst reporter", contactEmail = email, wantsFeedback = true });
        using var response = await app.Http.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (JsonNode.Parse(await response.Content.ReadAsStringAsync())!["key"]!.GetValue<string>(), email);
    }

    private async Task<string> PostAsync(string key, params string[] events)
    {
        using var posted = await app.PostReportAsync(Encoding.UTF8.GetBytes($$"""{"events":[{{string.Join(",", events)}}]}"""), "application/json", key);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        return JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
    }
}
