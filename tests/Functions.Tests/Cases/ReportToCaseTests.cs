using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AbuseDesk.Functions.Tests.Cases;

/// <summary>The first complete path: an ARF mail in, one case, one mail whose link opens that case, a recorded fix.</summary>
[Collection(DeskCollection.Name)]
public sealed partial class ReportToCaseTests(DeskApp app)
{
    [Fact]
    public async Task One_ARF_report_makes_one_case_and_one_mail_whose_link_opens_the_case_and_records_the_fix()
    {
        const string hostile = "<script>alert('x')</script><img src=x onerror=alert(1)>";
        using var posted = await app.PostReportAsync(ArfSamples.For("198.51.100.7", subject: hostile), "message/rfc822");
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var accepted = JsonNode.Parse(await posted.Content.ReadAsStringAsync())!;
        var reportId = accepted["reportId"]!.GetValue<string>();
        Assert.False(accepted["duplicate"]!.GetValue<bool>());
        Assert.Equal($"/api/reports/{reportId}", posted.Headers.Location!.ToString());

        var report = await app.WaitForReportAsync(reportId);
        Assert.Equal("parsed", report["status"]!.GetValue<string>());
        Assert.Equal("arf", report["format"]!.GetValue<string>());
        Assert.Equal(1, report["routedCount"]!.GetValue<int>());
        var caseId = report["events"]![0]!["caseId"]!.GetValue<string>();

        var cases = await app.CasesAsync("cust-flow");
        var single = Assert.Single(cases);
        Assert.Equal(caseId, single!["caseId"]!.GetValue<string>());
        Assert.Equal("vm-flow", single["resourceId"]!.GetValue<string>());
        Assert.Equal("spam", single["abuseClass"]!.GetValue<string>());

        List<JsonNode> mails = [];
        await Eventually.Async(async () => (mails = await app.Mail.MailsToAsync("flow@customer.test")).Count > 0, TimeSpan.FromSeconds(30), "the first notice");
        var mail = Assert.Single(mails);
        Assert.Contains($"[AbuseDesk #{caseId}]", mail["subject"]!.GetValue<string>());

        var detail = await app.OpsJsonAsync($"/api/ops/cases/{caseId}");
        Assert.Equal("notified", detail["status"]!.GetValue<string>());
        Assert.NotNull(detail["deadline"]);
        Assert.Contains(detail["history"]!.AsArray(), h => h!["what"]!.GetValue<string>() == "notified");

        var link = PortalLink().Match(mail["text"]!.GetValue<string>()).Value;
        Assert.StartsWith(app.BaseUrl + "portal/cases/", link);
        var portal = new PortalSession(app);
        var page = await portal.OpenAsync(link);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains(caseId, page.Html);
        Assert.Contains("&lt;script&gt;", page.Html);
        Assert.DoesNotContain("<script>", page.Html);
        Assert.DoesNotContain("<img src=x", page.Html);

        var afterFix = await portal.SubmitAsync(link, page, "fixed", "Removed the compromised plugin and rotated SMTP credentials");
        Assert.Equal(HttpStatusCode.OK, afterFix.Status);
        Assert.Contains("your fix is recorded", afterFix.Html);

        detail = await app.OpsJsonAsync($"/api/ops/cases/{caseId}");
        Assert.Equal("resolved", detail["status"]!.GetValue<string>());
        Assert.Equal("fixed", detail["resolution"]!.GetValue<string>());
        var resolved = Assert.Single(detail["history"]!.AsArray(), h => h!["what"]!.GetValue<string>() == "resolved");
        Assert.Equal("customer", resolved!["actor"]!.GetValue<string>());
        Assert.Equal("Removed the compromised plugin and rotated SMTP credentials", resolved["detail"]!.GetValue<string>());

        // Exactly one first notice, however the queues redelivered; the fix sends its acknowledgement.
        await Eventually.Async(async () => (mails = await app.Mail.MailsToAsync("flow@customer.test")).Count >= 2, TimeSpan.FromSeconds(30), "the resolution mail");
        Assert.Single(mails, m => m["subject"]!.GetValue<string>().Contains("Abuse report:", StringComparison.Ordinal));
        Assert.Single(mails, m => m["subject"]!.GetValue<string>().Contains("Resolved:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fix_without_a_description_is_refused_and_the_case_stays_open()
    {
        using var posted = await app.PostReportAsync(ArfSamples.For("2001:db8:1::25"), "message/rfc822");
        var reportId = JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        var report = await app.WaitForReportAsync(reportId);
        var caseId = report["events"]![0]!["caseId"]!.GetValue<string>();

        List<JsonNode> mails = [];
        await Eventually.Async(async () => (mails = await app.Mail.MailsToAsync("v6@customer.test")).Count > 0, TimeSpan.FromSeconds(30), "the IPv6 customer's notice");
        var link = PortalLink().Match(mails[0]["text"]!.GetValue<string>()).Value;
        var portal = new PortalSession(app);
        var page = await portal.OpenAsync(link);

        var refused = await portal.SubmitAsync(link, page, "fixed", "   ");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Contains("needs a description", refused.Html);
        Assert.Equal("notified", (await app.OpsJsonAsync($"/api/ops/cases/{caseId}"))["status"]!.GetValue<string>());
    }

    [GeneratedRegex(@"http://\S+/portal/cases/\S+")]
    private static partial Regex PortalLink();
}
