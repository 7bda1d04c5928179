using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AbuseDesk.Functions.Feedback;
using AbuseDesk.Functions.Tests.Ops;

namespace AbuseDesk.Functions.Tests.Parsing;

/// <summary>
/// A bounce or an auto-reply that reaches the desk is kept as ignored, with the reason: no events, no case, no
/// feedback mail, and ops find it in its own queue. Both mails name addresses of a customer (cust-misc) that a
/// complaint would have routed.
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class IgnoredReportTests(DeskApp app)
{
    private const string AutoReply = """
        From: Tom Admin <tom@misc-customer.example>
        To: abuse@hosting.example
        Subject: Out of Office: [Abuse] Brute force from 203.0.113.245
        Date: Mon, 07 Dec 2026 09:00:00 +0000
        Message-ID: <ooo-{0}@misc-customer.example>
        Auto-Submitted: auto-replied
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8

        I am out of the office until 14 December. About 203.0.113.245 see
        http://status.misc-hosted.example/ or ask the NOC.
        """;

    private const string Bounce = """
        From: MAILER-DAEMON@mx.misc-customer.example (Mail Delivery System)
        To: abuse@hosting.example
        Subject: Undelivered Mail Returned to Sender
        Date: Mon, 07 Dec 2026 09:00:01 +0000
        Message-ID: <dsn-{0}@mx.misc-customer.example>
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="b"

        --b
        Content-Type: text/plain; charset=us-ascii

        This is the mail system at host mx.misc-customer.example.
        I'm sorry to have to inform you that your message could not be delivered.

        --b
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mx.misc-customer.example

        Final-Recipient: rfc822; noc@misc-customer.example
        Action: failed
        Status: 5.1.1

        --b
        Content-Type: message/rfc822

        From: Abuse Desk <abuse@hosting.example>
        To: noc@misc-customer.example
        Subject: [Abuse] Spam from 203.0.113.246

        Spam was sent from 203.0.113.246, advertising http://pills.misc-hosted.example/buy.

        --b--
        """;

    [Fact]
    public async Task An_auto_reply_and_a_bounce_are_ignored_with_the_reason_and_route_nothing()
    {
        var (key, email) = await NewReporterAsync();
        var autoReply = await PostAsync(key, AutoReply);
        var bounce = await PostAsync(key, Bounce);

        foreach (var (reportId, reason) in new[]
        {
            (autoReply, "automatic reply: Auto-Submitted: auto-replied"),
            (bounce, "delivery-status notification: multipart/report; report-type=delivery-status"),
        })
        {
            var report = await app.WaitForReportAsync(reportId);
            Assert.Equal("ignored", report["status"]!.GetValue<string>());
            Assert.Equal("not-a-report", report["format"]!.GetValue<string>());
            Assert.Equal(reason, report["ignoredReason"]!.GetValue<string>());
            Assert.Equal(reason, report["error"]!.GetValue<string>());
            Assert.Equal(0, report["eventCount"]!.GetValue<int>());
            Assert.Empty(report["events"]!.AsArray());

            // The reporter sees the same.
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/reports/{reportId}", UriKind.Relative));
            request.Headers.Add("Authorization", $"Bearer {key}");
            using var response = await app.Http.SendAsync(request);
            var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("ignored", status["status"]!.GetValue<string>());
            Assert.Equal(reason, status["ignoredReason"]!.GetValue<string>());

            var listed = await app.FindInPagesAsync("/api/ops/queues/ignored-reports?limit=50", "reports", r => r["reportId"]!.GetValue<string>() == reportId);
            Assert.Equal(reason, listed?["ignoredReason"]?.GetValue<string>());
        }

        var cases = await app.CasesAsync("cust-misc");
        Assert.DoesNotContain(cases, c => c!["ip"]?.GetValue<string>() is "203.0.113.245" or "203.0.113.246");

        // The reporter asked for feedback, yet a bounce is no report to thank anyone for.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Empty(await app.Mail.MailsToAsync(email));
        foreach (var reportId in new[] { autoReply, bounce })
        {
            Assert.False((await app.Storage.Cases.GetEntityIfExistsAsync<ReportFeedbackEntity>(ReportFeedbackEntity.PartitionFor(reportId), ReportFeedbackEntity.Row)).HasValue);
        }
    }

    private async Task<(string Key, string Email)> NewReporterAsync()
    {
        var email = $"ignored-{Guid.NewGuid():N}@reporter.test";
        using var create = app.Ops(HttpMethod.Post, "/api/ops/reporters");
        create.Content = JsonContent.Create(new { name = "Abuse mailbox", contactEmail = email, wantsFeedback = true });
        using var response = await app.Http.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (JsonNode.Parse(await response.Content.ReadAsStringAsync())!["key"]!.GetValue<string>(), email);
    }

    private async Task<string> PostAsync(string key, string template)
    {
        // A unique Message-ID: the same bytes twice would be a duplicate of an earlier run's report.
        var mail = template.Replace("{0}", Guid.NewGuid().ToString("N"), StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
        using var posted = await app.PostReportAsync(Encoding.UTF8.GetBytes(mail), "message/rfc822", key);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        return JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
    }
}
