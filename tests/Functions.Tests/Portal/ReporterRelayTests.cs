using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AbuseDesk.Functions.Tests.Portal;

/// <summary>
/// The customer writes to whoever reported the case, from the case page: the desk relays it by mail under the case's
/// tag and without the customer's identity, or, when the reporter asked not to be written to, says so at the field.
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class ReporterRelayTests(DeskApp app)
{
    private const string Subject = "A message from our customer";

    [Fact]
    public async Task A_message_to_the_reporter_goes_by_mail_under_the_case_tag_without_the_customers_identity()
    {
        var mailed = await PortalCases.ReportAsync(app, 17);
        var session = new PortalSession(app);
        var page = await session.OpenAsync(mailed.Link);
        const string Words = "We removed the compromised plugin at 09:40 UTC. Do you still see attacks from this address?";

        var sent = await session.SubmitAsync(mailed.Link, page, "reporter", Words);

        Assert.Equal(HttpStatusCode.OK, sent.Status);
        Assert.Contains("on its way to the reporter", sent.Html, StringComparison.Ordinal);
        Assert.Contains("You, to the reporter", sent.Html, StringComparison.Ordinal);
        JsonNode? relay = null;
        await Eventually.Async(async () =>
        {
            relay = (await app.Mail.MailsToAsync("reporter@reporter.test"))
                .FirstOrDefault(m => m["subject"]!.GetValue<string>().Contains(Subject, StringComparison.Ordinal) && m["subject"]!.GetValue<string>().Contains(mailed.CaseId, StringComparison.Ordinal));
            return relay is not null;
        }, TimeSpan.FromSeconds(30), "the relayed mail");

        var text = relay!["text"]!.GetValue<string>();
        Assert.Contains(Words, text, StringComparison.Ordinal);
        Assert.Contains($"[AbuseDesk #{mailed.CaseId}]", relay["subject"]!.GetValue<string>(), StringComparison.Ordinal);
        foreach (var identity in new[] { "cust-portal-17", "vm-portal-17", mailed.ContactEmail, "2001:db8:60:11" })
        {
            Assert.DoesNotContain(identity, text, StringComparison.Ordinal);
            Assert.DoesNotContain(identity, relay["html"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        var history = (await PortalCases.OpsCaseAsync(app, mailed.CaseId))["history"]!.AsArray();
        Assert.Contains(history, h => h!["what"]!.GetValue<string>() == "customer-to-reporter" && h["detail"]!.GetValue<string>() == Words);
    }

    [Fact]
    public async Task A_reporter_that_asked_for_no_feedback_is_not_written_to_and_the_customer_is_told_why()
    {
        string key;
        using (var create = app.Ops(HttpMethod.Post, "/api/ops/reporters"))
        {
            create.Content = JsonContent.Create(new { name = "Quiet reporter", contactEmail = "quiet@reporter.test", wantsFeedback = false, limits = DeskApp.FeedLimits });
            using var created = await app.Http.SendAsync(create);
            key = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["key"]!.GetValue<string>();
        }

        using var posted = await app.PostReportAsync(ArfSamples.For("2001:db8:60:12::25", null), "message/rfc822", key);
        var report = await app.WaitForReportAsync(JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>());
        var caseId = report["events"]![0]!["caseId"]!.GetValue<string>();
        var link = await PortalCases.LinkFromMailAsync(app, "portal-18@customer.test", caseId, 1);
        var session = new PortalSession(app);
        var page = await session.OpenAsync(link);

        var refused = await session.SubmitAsync(link, page, "reporter", "Is this still happening?");

        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains("id=\"error-reporter\"", refused.Html, StringComparison.Ordinal);
        Assert.Contains("asked not to be contacted", refused.Html, StringComparison.Ordinal);
        Assert.Empty(await app.Mail.MailsToAsync("quiet@reporter.test"));
    }
}
