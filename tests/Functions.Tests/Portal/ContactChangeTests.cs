using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AbuseDesk.Functions.Tests.Portal;

/// <summary>
/// A customer's own abuse contact: asked for on the case page, confirmed by the link mailed to the new address (not
/// before), the old address told, the change audited, and the next notice sent to the confirmed address. Ops set it
/// at once. Real mail through maildev, the real app, a browser without JavaScript (<see cref="PortalSession"/>).
/// </summary>
[Collection(DeskCollection.Name)]
public sealed partial class ContactChangeTests(DeskApp app)
{
    [Fact]
    public async Task A_new_address_takes_effect_only_once_confirmed_from_its_own_mail_and_the_old_one_is_told()
    {
        var mailed = await PortalCases.ReportAsync(app, 14);
        var session = new PortalSession(app);
        var page = await session.OpenAsync(mailed.Link);
        Assert.Contains(mailed.ContactEmail, page.Html, StringComparison.Ordinal);
        var next = $"noc-{Guid.NewGuid():N}@customer.test";

        var asked = await session.SubmitAsync(mailed.Link, page, "contact", next);
        Assert.Equal(HttpStatusCode.OK, asked.Status);
        Assert.Contains("Waiting for confirmation", asked.Html, StringComparison.Ordinal);

        // Not in force yet: a notice now still goes to the old address.
        await PortalCases.OpsActionAsync(app, mailed.CaseId, "message", "before the confirmation");
        await PortalCases.LinkFromMailAsync(app, mailed.ContactEmail, mailed.CaseId, 2);
        Assert.DoesNotContain(await app.Mail.MailsToAsync(next), m => m["subject"]!.GetValue<string>().Contains(mailed.CaseId, StringComparison.Ordinal));

        var confirmLink = await ConfirmLinkAsync(next);
        var confirmPage = await session.OpenAsync(confirmLink);
        Assert.Equal(HttpStatusCode.OK, confirmPage.Status);
        Assert.Contains(next, confirmPage.Html, StringComparison.Ordinal);
        using (var client = new HttpClient())
        {
            using var confirmed = await client.PostAsync(new Uri(confirmLink), null);
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
            Assert.Contains($"now go to {next}", await confirmed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            // Used twice (a reload): it says so, and changes nothing.
            using var again = await client.PostAsync(new Uri(confirmLink), null);
            Assert.Contains("already go to", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await Eventually.Async(async () => (await app.Mail.MailsToAsync(mailed.ContactEmail)).Any(m => m["subject"]!.GetValue<string>().Contains($"Your abuse contact is now {next}", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the old address to be told");

        // In force: the next notice about the case goes to the confirmed address.
        await PortalCases.OpsActionAsync(app, mailed.CaseId, "message", "after the confirmation");
        await PortalCases.LinkFromMailAsync(app, next, mailed.CaseId, 1);
        var customer = await app.OpsJsonAsync("/api/ops/customers/cust-portal-14");
        Assert.Equal(next, customer["abuseContact"]!["address"]!.GetValue<string>());
        Assert.Equal("customer", customer["abuseContact"]!["source"]!.GetValue<string>());

        var audit = (await app.OpsJsonAsync("/api/ops/audit?target=cust-portal-14"))["entries"]!.AsArray();
        Assert.Contains(audit, e => e!["action"]!.GetValue<string>() == "contact-change-requested" && e["target"]!.GetValue<string>() == "cust-portal-14");
        Assert.Contains(audit, e => e!["action"]!.GetValue<string>() == "contact-changed" && e["target"]!.GetValue<string>() == "cust-portal-14");
    }

    [Theory]
    [InlineData("not an address")]
    [InlineData("victim@example.org\r\nBcc: injected@example.net")]
    public async Task A_bad_address_comes_back_at_the_field_and_nothing_waits_for_confirmation(string address)
    {
        var mailed = await PortalCases.ReportAsync(app, 14);
        var session = new PortalSession(app);
        var page = await session.OpenAsync(mailed.Link);

        var refused = await session.SubmitAsync(mailed.Link, page, "contact", address);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Contains("id=\"error-contact\"", refused.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("Waiting for confirmation", refused.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ops_set_the_address_at_once_and_the_old_address_is_told()
    {
        var mailed = await PortalCases.ReportAsync(app, 16);
        var next = $"ops-set-{Guid.NewGuid():N}@customer.test";

        using (var missingReason = app.Ops(HttpMethod.Put, "/api/ops/customers/cust-portal-16/contact"))
        {
            missingReason.Content = JsonContent.Create(new { contactEmail = next, actor = "ops-anna" });
            using var refused = await app.Http.SendAsync(missingReason);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        using var put = app.Ops(HttpMethod.Put, "/api/ops/customers/cust-portal-16/contact");
        put.Content = JsonContent.Create(new { contactEmail = next, actor = "ops-anna", reason = "customer phoned: new NOC address" });
        using var response = await app.Http.SendAsync(put);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(next, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["abuseContact"]!["address"]!.GetValue<string>());

        await Eventually.Async(async () => (await app.Mail.MailsToAsync(mailed.ContactEmail)).Any(m => m["text"]!.GetValue<string>().Contains("Our abuse team made this change", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the old address to be told");
        await PortalCases.OpsActionAsync(app, mailed.CaseId, "message", "to the new address");
        await PortalCases.LinkFromMailAsync(app, next, mailed.CaseId, 1);
    }

    private async Task<string> ConfirmLinkAsync(string address)
    {
        string? link = null;
        await Eventually.Async(async () =>
        {
            var mail = (await app.Mail.MailsToAsync(address)).FirstOrDefault(m => m["subject"]!.GetValue<string>().Contains("Confirm", StringComparison.Ordinal));
            link = mail is null ? null : ConfirmLink().Match(mail["text"]!.GetValue<string>()).Value;
            return !string.IsNullOrEmpty(link);
        }, TimeSpan.FromSeconds(30), $"the confirmation mail to {address}");
        return link!;
    }

    [GeneratedRegex(@"https?://[^\s/]+/portal/contact/[A-Za-z0-9._-]+/[A-Za-z0-9_-]+")]
    private static partial Regex ConfirmLink();
}
