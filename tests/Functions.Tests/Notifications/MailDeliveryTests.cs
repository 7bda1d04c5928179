using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AbuseDesk.Domain.Ownership;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Notifications;
using AbuseDesk.Functions.Ownership;
using AbuseDesk.Functions.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace AbuseDesk.Functions.Tests.Notifications;

/// <summary>
/// Customer mail end to end: reports open cases for the mail test customers (2001:db8:50-52::/48), the app renders
/// the templates in the customer's language and sends over real SMTP to maildev.
/// </summary>
[Collection(DeskCollection.Name)]
public sealed partial class MailDeliveryTests(DeskApp app)
{
    private async Task<string> OpenCaseAsync(string ip, string abuseClass = "spam", string evidence = "evidence")
    {
        var json = $$"""{"events":[{"ip":"{{ip}}","abuseClass":"{{abuseClass}}","reportType":"test-mail","occurredAt":"2026-11-20T10:00:00Z","evidence":"{{evidence}} {{Guid.NewGuid():N}}"}]}""";
        using var posted = await app.PostReportAsync(Encoding.UTF8.GetBytes(json), "application/json");
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var reportId = JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        var report = await app.WaitForReportAsync(reportId);
        return report["events"]![0]!["caseId"]!.GetValue<string>();
    }

    private async Task<List<JsonNode>> CaseMailsAsync(string address, string caseId, int atLeast)
    {
        List<JsonNode> mails = [];
        await Eventually.Async(
            async () => (mails = (await app.Mail.MailsToAsync(address)).Where(m => Subject(m).Contains($"#{caseId}]", StringComparison.Ordinal)).ToList()).Count >= atLeast,
            TimeSpan.FromSeconds(60), $"{atLeast} mail(s) of case {caseId} to {address}", TimeSpan.FromMilliseconds(500));
        return mails;
    }

    private static readonly HttpClient Maildev = new() { BaseAddress = new Uri(Environment.GetEnvironmentVariable("ABUSEDESK_TEST_MAILDEV_URL")!) };

    private static async Task<MimeKit.MimeMessage> RawAsync(JsonNode mail)
    {
        await using var source = await Maildev.GetStreamAsync(new Uri($"/api/email/{mail["id"]!.GetValue<string>()}/source", UriKind.Relative));
        return await MimeKit.MimeMessage.LoadAsync(source);
    }

    private static string Subject(JsonNode mail) => mail["subject"]!.GetValue<string>();

    private static string Header(JsonNode mail, string name) => mail["headers"]![name]!.GetValue<string>();

    [GeneratedRegex("""https?://[^\s"<>]+""")]
    private static partial Regex Links();

    [Fact]
    public async Task Mails_of_one_case_share_one_thread_carry_the_tag_and_link_only_to_the_public_url()
    {
        var caseId = await OpenCaseAsync("2001:db8:50::7");
        await CaseMailsAsync("mail-en@mail.test", caseId, 1);
        using (var message = app.Ops(HttpMethod.Post, $"/api/ops/cases/{caseId}/actions"))
        {
            message.Content = JsonContent.Create(new { action = "message", actor = "erin", reason = "Please also check the <b>cron</b> jobs." });
            using var response = await app.Http.SendAsync(message);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var mails = await CaseMailsAsync("mail-en@mail.test", caseId, 2);

        Assert.Equal(2, mails.Count);
        Assert.Contains(mails, m => Subject(m) == $"[AbuseDesk #{caseId}] Abuse report: spam from 2001:db8:50::7");
        Assert.Contains(mails, m => Subject(m) == $"[AbuseDesk #{caseId}] Message from the abuse team about vm-mail-en");
        // One thread: both refer to the case's root, each has its own Message-ID.
        Assert.All(mails, m => Assert.Equal($"<case-{caseId}@example.net>", Header(m, "in-reply-to")));
        Assert.All(mails, m => Assert.Contains($"<case-{caseId}@example.net>", Header(m, "references"), StringComparison.Ordinal));
        Assert.Equal(2, mails.Select(m => Header(m, "message-id")).Distinct().Count());
        foreach (var mail in mails)
        {
            // maildev's JSON leaves Reply-To out; the raw message as received has it.
            var raw = await RawAsync(mail);
            Assert.Equal("abuse@example.net", Assert.Single(raw.ReplyTo.Mailboxes).Address);
            Assert.Equal(Subject(mail), raw.Subject);
        }
        foreach (var mail in mails)
        {
            var text = mail["text"]!.GetValue<string>();
            var html = mail["html"]!.GetValue<string>();
            var links = Links().Matches(text).Concat(Links().Matches(html)).Select(l => l.Value).ToList();
            Assert.Contains(links, l => l.StartsWith($"{app.BaseUrl}portal/cases/", StringComparison.Ordinal));
            Assert.All(links, l => Assert.StartsWith(app.BaseUrl.ToString(), l, StringComparison.Ordinal));
        }

        var notice = mails.Single(m => Subject(m).Contains("Abuse report", StringComparison.Ordinal));
        Assert.Contains("We received 1 report of spam coming from 2001:db8:50::7 (vm-mail-en).", notice["text"]!.GetValue<string>(), StringComparison.Ordinal);
        var opsMail = mails.Single(m => Subject(m).Contains("Message from", StringComparison.Ordinal));
        Assert.Contains("Please also check the <b>cron</b> jobs.", opsMail["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("Please also check the &lt;b&gt;cron&lt;/b&gt; jobs.", opsMail["html"]!.GetValue<string>(), StringComparison.Ordinal);

        // The portal link in the mail opens this very case.
        var portal = Links().Matches(opsMail["text"]!.GetValue<string>()).Select(l => l.Value).First(l => l.Contains("/portal/cases/", StringComparison.Ordinal));
        using var page = await app.Http.GetAsync(new Uri(portal));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(caseId, await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_customer_whose_allocation_says_de_gets_German_mail()
    {
        var caseId = await OpenCaseAsync("2001:db8:51::7");

        var mail = Assert.Single(await CaseMailsAsync("mail-de@mail.test", caseId, 1));

        Assert.Equal($"[AbuseDesk #{caseId}] Missbrauchsmeldung: spam von 2001:db8:51::7", Subject(mail));
        var text = mail["text"]!.GetValue<string>();
        Assert.Contains("Wir haben 1 Meldung über spam von 2001:db8:51::7 (vm-mail-de) erhalten.", text, StringComparison.Ordinal);
        Assert.Contains("Frist:", text, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"de\">", mail["html"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("We received", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// Puts a customer with an address no server takes (bad..dots@mail.test) on 2001:db8:52::/48 for the duration of
    /// a test. The allocation import refuses such an address, so it is written to the allocation table directly, as
    /// an address stored before imports were checked would be; the table is put back afterwards.
    /// </summary>
    private async Task<IAsyncDisposable> LegacyBadAddressAsync()
    {
        var store = new AllocationStore(app.Storage, TimeProvider.System, NullLogger<AllocationStore>.Instance);
        var current = (await store.SnapshotAsync(CancellationToken.None)).Allocations;
        Assert.True(IpPrefix.TryParse("2001:db8:52::/48", out var prefix, out _));
        await store.ReplaceAsync([.. current, new Allocation(prefix, "cust-mail-bad", "vm-mail-bad", "bad..dots@mail.test", new DateOnly(2026, 10, 1))],
            "mail-delivery-tests", "an address from before imports were checked", CancellationToken.None);
        return new Restore(() => store.ReplaceAsync(current, "mail-delivery-tests", "restored", CancellationToken.None));
    }

    private sealed class Restore(Func<Task> restore) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await restore();
    }

    [Fact]
    public async Task A_recipient_no_server_can_take_fails_the_mail_once_into_the_case_history_and_the_ops_list()
    {
        await using var legacy = await LegacyBadAddressAsync();
        var caseId = await OpenCaseAsync("2001:db8:52::7");

        JsonNode? detail = null;
        await Eventually.Async(
            async () => (detail = await app.OpsJsonAsync($"/api/ops/cases/{caseId}"))["history"]!.AsArray().Any(h => h!["what"]!.GetValue<string>() == "mail-failed"),
            TimeSpan.FromSeconds(30), $"the failed first notice in case {caseId}'s history");

        var failed = detail!["history"]!.AsArray().Single(h => h!["what"]!.GetValue<string>() == "mail-failed")!;
        Assert.Equal("mailer", failed["actor"]!.GetValue<string>());
        Assert.Equal("email:invalid-recipient", failed["rule"]!.GetValue<string>());
        Assert.Contains("bad..dots@mail.test", failed["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("not a valid recipient", failed["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var mail = Assert.Single(detail["mails"]!.AsArray())!;
        Assert.Equal("failed", mail["status"]!.GetValue<string>());
        // The case itself goes on: the customer's silence is the deadline's business, not the mailer's.
        Assert.Equal("notified", detail["status"]!.GetValue<string>());

        var list = (await app.OpsJsonAsync("/api/ops/mail/failed?limit=1000"))["mails"]!.AsArray();
        var entry = Assert.Single(list, m => m!["caseId"]!.GetValue<string>() == caseId)!;
        Assert.Equal("FirstNotice", entry["kind"]!.GetValue<string>());
        Assert.Equal("bad..dots@mail.test", entry["to"]!.GetValue<string>());
        Assert.StartsWith("m|", entry["mailRow"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("not a valid recipient", entry["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, entry["attempts"]!.GetValue<int>());
        Assert.Empty(await app.Mail.MailsAsync(to => to.Contains("bad", StringComparison.OrdinalIgnoreCase)));

        // The customer's page says the mail did not reach them and why, in the desk's own words, never the stored detail.
        var token = AbuseDesk.Domain.Portal.CaseLinkToken.Create(caseId, DateTimeOffset.UtcNow.AddDays(1), "k1", Encoding.ASCII.GetBytes("test-signing-key-0123456789abcdef0123"));
        var page = await new PortalSession(app).OpenAsync($"{app.BaseUrl}portal/cases/{token}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("<strong>AbuseDesk</strong>: our mail did not reach you", page.Html, StringComparison.Ordinal);
        Assert.Contains(SmtpFailure.CustomerReason("email:invalid-recipient", null), page.Html, StringComparison.Ordinal);
        // The address shows once, where the page says where notices go (the customer's own contact), never in the failure.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(page.Html, "bad\\.\\.dots"));
        Assert.Contains("id=\"contact-current\">bad..dots@mail.test</", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("not a valid recipient", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_failed_mail_list_needs_the_ops_key()
    {
        using var response = await app.Http.GetAsync(new Uri("/api/ops/mail/failed", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_same_mail_requested_many_times_at_once_goes_out_once()
    {
        var run = Guid.NewGuid().ToString("N")[..12];
        var caseId = $"dup-{run}";
        await StoreMailAsync(caseId, "m|000001", $"dup-{run}@dupmail.test");
        var queue = app.Storage.Queue(DeskStorage.EmailOutboxQueue);
        var body = Json.Serialize(new EmailRequest(caseId, "m|000001"));
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => queue.SendMessageAsync(body)));

        await Eventually.Async(async () => (await MailRowAsync(caseId, "m|000001")).Status == "sent", TimeSpan.FromSeconds(60), "the mail to be sent");
        // Let every copy of the request run its course (a loser of the claim comes back after it).
        await Eventually.Async(async () => (await queue.PeekMessagesAsync(32)).Value.All(m => !m.Body.ToString().Contains(caseId, StringComparison.Ordinal)),
            TimeSpan.FromSeconds(150), "every copy of the request to be settled", TimeSpan.FromSeconds(1));

        Assert.Single(await app.Mail.MailsToAsync($"dup-{run}@dupmail.test"));
        Assert.Equal(1, (await MailRowAsync(caseId, "m|000001")).Attempts);
    }

    private async Task<MailEntity> MailRowAsync(string caseId, string row) =>
        (await app.Storage.Cases.GetEntityAsync<MailEntity>(caseId, row)).Value;

    /// <summary>A mail row as CaseTransitions writes it (rendered, with its Message-ID), for driving SendEmail directly.</summary>
    internal static MailEntity Mail(string caseId, string row, string to) => new()
    {
        PartitionKey = caseId,
        RowKey = row,
        Kind = "FirstNotice",
        To = to,
        Subject = $"[AbuseDesk #{caseId}] test mail {row}",
        TextBody = $"test mail {row} of {caseId}",
        HtmlBody = $"<p>test mail {row} of {caseId}</p>",
        MessageId = $"{caseId}.{row[2..]}",
    };

    private async Task StoreMailAsync(string caseId, string row, string to) =>
        await app.Storage.Cases.AddEntityAsync(Mail(caseId, row, to));
}
