using System.Net.Http.Json;
using System.Text;
using AbuseDesk.Domain.Portal;
using Microsoft.Playwright;

namespace AbuseDesk.Functions.Tests.Portal;

/// <summary>
/// The portal as a customer uses it: the link from the real mail in maildev, opened in headless Chromium against
/// the real app. Screenshots of every step land in {test output}/screenshots.
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class PortalBrowserTests(DeskApp app, Chromium chromium) : IClassFixture<Chromium>
{
    private static readonly byte[] TestKey = Encoding.ASCII.GetBytes("test-signing-key-0123456789abcdef0123");

    private const string Payload = "<script>window.__pwned='script'</script><img src=x onerror=\"window.__pwned='img';alert(1)\">";

    private static async Task<string> StatusOnPageAsync(IPage page) =>
        (await page.Locator("[data-status]").GetAttributeAsync("data-status"))!;

    private async Task<string> StatusViaOpsAsync(string caseId) =>
        (await PortalCases.OpsCaseAsync(app, caseId))["status"]!.GetValue<string>();

    [Fact]
    public async Task The_mailed_link_shows_hostile_evidence_as_text_and_a_described_fix_resolves_the_case()
    {
        var mailed = await PortalCases.ReportAsync(app, 1, subject: "Cheap watches " + Payload);
        await using var context = await chromium.CustomerAsync();
        var page = await context.NewPageAsync();
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) => { dialogs.Add(dialog.Message); _ = dialog.DismissAsync(); };

        var response = await page.GotoAsync(mailed.Link);
        Assert.Equal(200, response!.Status);
        await Chromium.ShotAsync(page, "evidence", "1-opened");

        // The payload is on the page as the literal text it was, and none of it ran.
        var evidence = page.Locator("pre.evidence").First;
        Assert.Contains("<script>window.__pwned='script'</script>", await evidence.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("<img src=x onerror=", await evidence.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        Assert.Equal(0, await page.Locator("main script").CountAsync());
        Assert.Null(await page.EvaluateAsync<string?>("() => window.__pwned ?? null"));
        Assert.Empty(dialogs);
        Assert.Equal("notified", await StatusOnPageAsync(page));
        Assert.Contains(mailed.CaseId, await page.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);

        await page.GetByLabel("Describe what you did to stop it (required)").FillAsync("Closed the open relay and rotated the SMTP credentials");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the fix" }).ClickAsync();
        await page.WaitForURLAsync("**?done=fixed");
        await Chromium.ShotAsync(page, "evidence", "2-fixed");

        Assert.Equal("resolved", await StatusOnPageAsync(page));
        Assert.Contains("your fix is recorded", await page.Locator("[role=status]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Closed the open relay", await page.Locator("ol.conversation").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("resolved", await StatusViaOpsAsync(mailed.CaseId));
        var detail = await PortalCases.OpsCaseAsync(app, mailed.CaseId);
        Assert.Equal("Closed the open relay and rotated the SMTP credentials", detail["resolutionNote"]!.GetValue<string>());
        Assert.Empty(dialogs);
    }

    [Fact]
    public async Task A_customer_changes_the_abuse_contact_and_confirms_it_from_the_new_address()
    {
        var mailed = await PortalCases.ReportAsync(app, 15);
        var next = $"noc-{Guid.NewGuid():N}@customer.test";
        await using var context = await chromium.CustomerAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(mailed.Link);
        Assert.Equal(mailed.ContactEmail, await page.Locator("#contact-current").InnerTextAsync());

        await page.GetByLabel("New address (required)").FillAsync(next);
        await page.GetByRole(AriaRole.Button, new() { Name = "Change the address" }).ClickAsync();
        await page.WaitForURLAsync("**?done=contact*");
        await Chromium.ShotAsync(page, "contact", "1-asked");
        Assert.Contains(next, await page.Locator("#contact-pending").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(mailed.ContactEmail, await page.Locator("#contact-current").InnerTextAsync());

        // The link in the mail to the new address opens a page with one button: following it confirms nothing.
        string? link = null;
        await Eventually.Async(async () =>
        {
            var mail = (await app.Mail.MailsToAsync(next)).FirstOrDefault();
            link = mail is null ? null : System.Text.RegularExpressions.Regex.Match(mail["text"]!.GetValue<string>(), @"https?://\S+/portal/contact/\S+").Value;
            return !string.IsNullOrEmpty(link);
        }, TimeSpan.FromSeconds(30), "the confirmation mail");
        var confirm = await context.NewPageAsync();
        await confirm.GotoAsync(link!);
        await Chromium.ShotAsync(confirm, "contact", "2-confirm-page");
        Assert.Equal(next, await confirm.Locator("#contact-new").InnerTextAsync());
        await confirm.GetByRole(AriaRole.Button, new() { Name = $"Confirm {next}" }).ClickAsync();
        await confirm.GetByText($"now go to {next}").WaitForAsync();
        await Chromium.ShotAsync(confirm, "contact", "3-confirmed");

        await page.ReloadAsync();
        Assert.Equal(next, await page.Locator("#contact-current").InnerTextAsync());
        Assert.Equal(0, await page.Locator("#contact-pending").CountAsync());
    }

    [Fact]
    public async Task A_dispute_without_a_reason_comes_back_with_the_message_at_the_field_and_one_with_a_reason_is_recorded()
    {
        var mailed = await PortalCases.ReportAsync(app, 2);
        await using var context = await chromium.CustomerAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(mailed.Link);

        // Blanks pass the browser's "required" but not the server.
        var reason = page.GetByLabel("Why is this report wrong? (required)");
        await reason.FillAsync("   ");
        var refused = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Dispute the report" }).ClickAsync(),
            r => r.Request.Method == "POST");
        Assert.Equal(422, refused.Status);
        await page.Locator("#error-disputed").WaitForAsync();
        await Chromium.ShotAsync(page, "dispute", "1-no-reason");

        Assert.Equal("true", await reason.GetAttributeAsync("aria-invalid"));
        Assert.Contains("error-disputed", (await reason.GetAttributeAsync("aria-describedby"))!, StringComparison.Ordinal);
        Assert.Contains("A dispute needs a reason", await page.Locator("#error-disputed").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("not recorded", await page.Locator("[role=alert]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("notified", await StatusViaOpsAsync(mailed.CaseId));

        await reason.FillAsync("This address is our outbound mail relay; the complaint is about a customer's newsletter with a valid opt-in");
        await page.GetByRole(AriaRole.Button, new() { Name = "Dispute the report" }).ClickAsync();
        await page.WaitForURLAsync("**?done=disputed");
        await Chromium.ShotAsync(page, "dispute", "2-disputed");

        Assert.Equal("disputed", await StatusOnPageAsync(page));
        Assert.Equal("disputed", await StatusViaOpsAsync(mailed.CaseId));
        // A disputed case can still be fixed, but not disputed twice.
        Assert.Equal(0, await page.Locator("#form-disputed").CountAsync());
        Assert.Equal(1, await page.Locator("#form-fixed").CountAsync());
    }

    [Fact]
    public async Task More_time_is_granted_once_then_explained_and_messages_go_both_ways()
    {
        var mailed = await PortalCases.ReportAsync(app, 3);
        var before = (await PortalCases.OpsCaseAsync(app, mailed.CaseId))["deadline"]!.GetValue<DateTimeOffset>();
        await using var context = await chromium.CustomerAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(mailed.Link);

        await page.GetByLabel("What do you still need to do? (optional)").FillAsync("Waiting for the vendor's patch");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ask for more time" }).ClickAsync();
        await page.WaitForURLAsync("**?done=more-time");
        await Chromium.ShotAsync(page, "more-time", "1-granted");

        var after = (await PortalCases.OpsCaseAsync(app, mailed.CaseId))["deadline"]!.GetValue<DateTimeOffset>();
        Assert.True(after > before, $"deadline {before:O} → {after:O}");
        Assert.Equal(0, await page.Locator("#form-more-time").CountAsync());
        Assert.Contains("already asked for more time once", await page.Locator("#more-time-used").InnerTextAsync(), StringComparison.Ordinal);

        // The same request again (a tab opened before, or a crafted post): refused with the reason, on the page.
        var session = new PortalSession(app);
        var again = await session.SubmitAsync(mailed.Link, await session.OpenAsync(mailed.Link), "more-time", "again please");
        Assert.Equal(System.Net.HttpStatusCode.Conflict, again.Status);
        Assert.Contains("not recorded", again.Html, StringComparison.Ordinal);
        Assert.Equal(after, (await PortalCases.OpsCaseAsync(app, mailed.CaseId))["deadline"]!.GetValue<DateTimeOffset>());

        await page.GetByLabel("Your message (required)").FillAsync("Which log lines made you think this is us?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send message" }).ClickAsync();
        await page.WaitForURLAsync("**?done=message");
        await PortalCases.OpsActionAsync(app, mailed.CaseId, "message", "The complaint quotes your relay's Received header; see the evidence.");
        await page.ReloadAsync();
        await Chromium.ShotAsync(page, "more-time", "2-conversation");

        var conversation = await page.Locator("ol.conversation").InnerTextAsync();
        Assert.Contains("Which log lines made you think this is us?", conversation, StringComparison.Ordinal);
        Assert.Contains("The complaint quotes your relay's Received header", conversation, StringComparison.Ordinal);
        Assert.Contains("Abuse team", conversation, StringComparison.Ordinal);
        var history = (await PortalCases.OpsCaseAsync(app, mailed.CaseId))["history"]!.AsArray();
        Assert.Contains(history, h => h!["what"]!.GetValue<string>() == "customer-message" && h["detail"]!.GetValue<string>() == "Which log lines made you think this is us?");
        Assert.Equal("notified", await StatusViaOpsAsync(mailed.CaseId));
    }

    [Fact]
    public async Task The_customer_writes_to_the_reporter_and_the_reporters_mailed_answer_appears_in_the_conversation()
    {
        var mailed = await PortalCases.ReportAsync(app, 21);
        await using var context = await chromium.CustomerAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(mailed.Link);

        await page.GetByLabel("Your message to the reporter (required)").FillAsync("Which of our addresses sent the spam you saw?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send to the reporter" }).ClickAsync();
        await page.WaitForURLAsync("**?done=reporter");
        Assert.Contains("You, to the reporter", await page.Locator("ol.conversation").InnerTextAsync(), StringComparison.Ordinal);

        // The reporter answers the relayed mail; the answer comes back through the abuse mailbox.
        var relay = await Cases.CaseMailRepliesTests.RelayedAsync(app, mailed.CaseId);
        await TestMailbox.DeliverAsync(Cases.CaseMailRepliesTests.Reply("reporter@reporter.test", relay, "Only 2001:db8:60:15::25, from 08:00 to 08:20 UTC."));
        var answer = page.Locator("ol.conversation li.from-reporter");
        await Eventually.Async(async () =>
        {
            await page.ReloadAsync();
            return await answer.CountAsync() == 1;
        }, TimeSpan.FromSeconds(30), "the reporter's answer on the page");
        await Chromium.ShotAsync(page, "conversation", "1-reporter-answered");

        var said = await answer.InnerTextAsync();
        Assert.Contains("The reporter", said, StringComparison.Ordinal);
        Assert.Contains("Only 2001:db8:60:15::25, from 08:00 to 08:20 UTC.", said, StringComparison.Ordinal);
        Assert.DoesNotContain("reporter@reporter.test", await page.ContentAsync(), StringComparison.Ordinal);
        // Ops see both sides, and who the reporter is.
        var history = (await PortalCases.OpsCaseAsync(app, mailed.CaseId))["history"]!.AsArray();
        Assert.Contains(history, h => h!["what"]!.GetValue<string>() == "customer-to-reporter");
        Assert.Contains(history, h => h!["what"]!.GetValue<string>() == "reporter-message" && h["rule"]!.GetValue<string>().Contains(app.ReporterId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tampered_expired_and_revoked_links_each_get_a_page_that_says_what_to_do()
    {
        var mailed = await PortalCases.ReportAsync(app, 4);
        await using var context = await chromium.CustomerAsync();
        var page = await context.NewPageAsync();

        var tampered = mailed.Link[..^2] + (mailed.Link[^2] == 'A' ? "BB" : "AA");
        Assert.Equal(404, (await page.GotoAsync(tampered))!.Status);
        Assert.Equal("Case not found", await page.Locator("h1").InnerTextAsync());
        Assert.DoesNotContain(mailed.CaseId, await page.ContentAsync(), StringComparison.Ordinal);
        await Chromium.ShotAsync(page, "links", "1-tampered");

        var expired = CaseLinkToken.Create(mailed.CaseId, DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddMinutes(-1), "k1", TestKey);
        Assert.Equal(410, (await page.GotoAsync($"{app.BaseUrl}portal/cases/{expired}"))!.Status);
        Assert.Equal("This link has expired", await page.Locator("h1").InnerTextAsync());
        Assert.Contains("new link", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await Chromium.ShotAsync(page, "links", "2-expired");

        Assert.Equal(200, (await page.GotoAsync(mailed.Link))!.Status);
        using (var revoke = app.Ops(HttpMethod.Post, $"/api/ops/cases/{mailed.CaseId}/links/revoke"))
        {
            revoke.Content = JsonContent.Create(new { actor = "ops-ben", reason = "customer forwarded the mail to a mailing list" });
            using var revoked = await app.Http.SendAsync(revoke);
            Assert.True(revoked.IsSuccessStatusCode, await revoked.Content.ReadAsStringAsync());
        }

        Assert.Equal(410, (await page.GotoAsync(mailed.Link))!.Status);
        Assert.Equal("This link was withdrawn", await page.Locator("h1").InnerTextAsync());
        Assert.Contains("newest mail", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await Chromium.ShotAsync(page, "links", "3-revoked");
        var history = (await PortalCases.OpsCaseAsync(app, mailed.CaseId))["history"]!.AsArray();
        Assert.Contains(history, h => h!["what"]!.GetValue<string>() == "links-revoked" && h["actor"]!.GetValue<string>() == "ops-ben"
            && h["detail"]!.GetValue<string>().Contains("mailing list", StringComparison.Ordinal));

        // The next mail carries a link issued after the revocation: it works, the old one stays withdrawn.
        await PortalCases.OpsActionAsync(app, mailed.CaseId, "message", "Here is a fresh link; the old one no longer works.");
        var freshLink = await PortalCases.LinkFromMailAsync(app, mailed.ContactEmail, mailed.CaseId, 2);
        Assert.NotEqual(mailed.Link, freshLink);
        Assert.Equal(200, (await page.GotoAsync(freshLink))!.Status);
        Assert.Equal("notified", await StatusOnPageAsync(page));
        await Chromium.ShotAsync(page, "links", "4-fresh-link");
        Assert.Equal(410, (await page.GotoAsync(mailed.Link))!.Status);
    }

    [Fact]
    public async Task A_keyboard_alone_reaches_and_submits_the_fix_form()
    {
        var mailed = await PortalCases.ReportAsync(app, 5);
        await using var context = await chromium.CustomerAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(mailed.Link);

        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to the case", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await Chromium.ShotAsync(page, "keyboard", "1-skip-link");

        var presses = 0;
        while (await page.EvaluateAsync<string>("() => document.activeElement.id") != "text-fixed")
        {
            Assert.True(++presses < 15, "the fix form's field was not reached with Tab");
            await page.Keyboard.PressAsync("Tab");
        }

        // The focused field is visibly marked.
        var outline = await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle");
        Assert.Equal("solid", outline);
        await page.Keyboard.TypeAsync("Removed the compromised WordPress plugin");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Record the fix", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await Chromium.ShotAsync(page, "keyboard", "2-button-focused");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**?done=fixed");
        await Chromium.ShotAsync(page, "keyboard", "3-fixed");

        Assert.Equal("resolved", await StatusOnPageAsync(page));
        Assert.Equal("resolved", await StatusViaOpsAsync(mailed.CaseId));
    }

    [Fact]
    public async Task On_a_phone_the_page_fits_the_screen_and_every_control_is_labelled()
    {
        var longLine = "phish-" + new string('x', 180) + ".example";
        var mailed = await PortalCases.ReportAsync(app, 6, subject: longLine);
        await using var context = await chromium.CustomerAsync(375, 667);
        var page = await context.NewPageAsync();
        await page.GotoAsync(mailed.Link);
        await Chromium.ShotAsync(page, "phone", "1-case");

        Assert.Contains("x".PadRight(100, 'x'), await page.Locator("pre.evidence").First.InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"),
            $"horizontal scroll: {await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth")}px wide in a 375px screen");
        Assert.Equal("width=device-width, initial-scale=1", await page.Locator("meta[name=viewport]").GetAttributeAsync("content"));
        Assert.Equal(1, await page.Locator("h1").CountAsync());
        Assert.Equal(0, await page.EvaluateAsync<int>(
            "() => [...document.querySelectorAll('textarea, select, input:not([type=hidden]), button')].filter(e => (e.labels?.length ?? 0) === 0 && !e.textContent.trim()).length"));
        Assert.Equal(0, await page.Locator("script").CountAsync());
        var buttonWidth = await page.GetByRole(AriaRole.Button, new() { Name = "Record the fix" }).BoundingBoxAsync();
        Assert.True(buttonWidth!.Height >= 44, $"touch target {buttonWidth.Height}px high");
    }

    [Fact]
    public async Task A_post_without_the_anti_forgery_value_is_refused()
    {
        var mailed = await PortalCases.ReportAsync(app, 7);
        await using var context = await chromium.CustomerAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(mailed.Link);

        // The browser's own cookie, but no form value: what a forged cross-site form would send at best.
        var forged = await page.APIRequest.PostAsync(mailed.Link, new APIRequestContextOptions
        {
            Form = context.APIRequest.CreateFormData().Set("action", "fixed").Set("text", "forged fix"),
        });
        Assert.Equal(403, forged.Status);
        Assert.Contains("could not be verified", await forged.TextAsync(), StringComparison.Ordinal);

        var wrong = await page.APIRequest.PostAsync(mailed.Link, new APIRequestContextOptions
        {
            Form = context.APIRequest.CreateFormData().Set("csrf", "not-the-value").Set("action", "fixed").Set("text", "forged fix"),
        });
        Assert.Equal(403, wrong.Status);
        Assert.Equal("notified", await StatusViaOpsAsync(mailed.CaseId));
    }
}
