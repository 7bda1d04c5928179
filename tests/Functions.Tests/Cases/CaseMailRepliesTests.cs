using System.Text;
using System.Text.Json.Nodes;
using AbuseDesk.Functions.Intake;
using AbuseDesk.Functions.Tests.Portal;

namespace AbuseDesk.Functions.Tests.Cases;

/// <summary>
/// Replies that come back through the abuse mailbox (./test's dovecot): a reporter's answer to the customer's relayed
/// words and the customer's answer to a notice join the case's conversation; a stranger quoting the case tag does not.
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class CaseMailRepliesTests(DeskApp app)
{
    private const string Reporter = "reporter@reporter.test";

    [Fact]
    public async Task A_reporters_reply_to_the_relayed_message_shows_in_the_conversation_without_its_address_and_the_customer_hears_of_it()
    {
        var mailed = await PortalCases.ReportAsync(app, 19);
        var session = new PortalSession(app);
        await session.SubmitAsync(mailed.Link, await session.OpenAsync(mailed.Link), "reporter", "We removed the spam script at 09:40 UTC. Do you still see mail from us?");
        var relay = await RelayedAsync(app, mailed.CaseId);

        // An HTML-only reply as Outlook writes it: the words, a signature with the reporter's address, then its
        // reply header (with the address again) and our mail quoted.
        const string Words = "Nothing since 09:45 UTC, thank you.";
        var reply = HtmlReply(Reporter, relay, $"<div>{Words}</div><div>Write to {Reporter} any time.</div>",
            $"Authentication-Results: {TestMailbox.AuthServId}; spf=pass smtp.mailfrom={Reporter}");
        await TestMailbox.DeliverAsync(reply);
        // What a crash between raising the reply and moving the message leaves: the same message in the inbox again.
        await TestMailbox.DeliverAsync(reply);
        await Eventually.Async(async () => (await TestMailbox.MessageIdsAsync(TestMailbox.StoredFolder)).Count(id => id == MessageIdOf(reply)) == 2,
            TimeSpan.FromSeconds(30), "both copies of the reply to move");

        JsonNode? line = null;
        await Eventually.Async(async () => (line = (await PortalCases.OpsCaseAsync(app, mailed.CaseId))["history"]!.AsArray()
            .FirstOrDefault(h => h!["what"]!.GetValue<string>() == "reporter-message")) is not null, TimeSpan.FromSeconds(30), "the reporter's reply in the history");
        // Ops see which reporter answered and that nothing vouched for the sender; the quote of our mail is cut.
        Assert.Equal("reporter", line!["actor"]!.GetValue<string>());
        Assert.Equal($"reporter {app.ReporterId} by mail; sender verified", line["rule"]!.GetValue<string>());
        Assert.Equal($"{Words}\nWrite to [address removed] any time.", line["detail"]!.GetValue<string>());

        var page = await session.OpenAsync(mailed.Link);
        Assert.Contains("The reporter", page.Html, StringComparison.Ordinal);
        Assert.Contains(Words, page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("(sender not verified)", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(Reporter, page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(app.ReporterId, page.Html, StringComparison.Ordinal);

        JsonNode? told = null;
        await Eventually.Async(async () => (told = (await app.Mail.MailsToAsync(mailed.ContactEmail))
            .FirstOrDefault(m => m["subject"]!.GetValue<string>().Contains("The reporter answered", StringComparison.Ordinal))) is not null,
            TimeSpan.FromSeconds(30), "the customer's mail about the answer");
        Assert.Contains(Words, told!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(Reporter, told["text"]!.GetValue<string>(), StringComparison.Ordinal);

        // Read twice, taken once; and a reply is no report.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var history = (await PortalCases.OpsCaseAsync(app, mailed.CaseId))["history"]!.AsArray();
        Assert.Single(history, h => h!["what"]!.GetValue<string>() == "reporter-message");
        Assert.Empty(await app.ReportsOfMailAsync(MessageIdOf(reply)));
    }

    [Fact]
    public async Task The_customers_reply_to_a_notice_is_their_message_and_a_stranger_quoting_the_tag_makes_a_report()
    {
        var mailed = await PortalCases.ReportAsync(app, 20);
        var notice = (await app.Mail.MailsToAsync(mailed.ContactEmail)).First(m => m["subject"]!.GetValue<string>().Contains(mailed.CaseId, StringComparison.Ordinal));

        const string Words = "The mailbox was compromised; we reset its password.";
        var reply = Reply(mailed.ContactEmail, notice, Words + "\n\nOn Mon, 7 Dec 2026, AbuseDesk wrote:\n> Spam from your network",
            $"Authentication-Results: {TestMailbox.AuthServId}; spf=pass smtp.mailfrom={mailed.ContactEmail}");
        var stranger = Reply("someone@stranger.test", notice, "I got this mail too. Please stop it.");
        await TestMailbox.DeliverAsync(reply);
        await TestMailbox.DeliverAsync(stranger);

        JsonNode? line = null;
        await Eventually.Async(async () => (line = (await PortalCases.OpsCaseAsync(app, mailed.CaseId))["history"]!.AsArray()
            .FirstOrDefault(h => h!["what"]!.GetValue<string>() == "customer-message")) is not null, TimeSpan.FromSeconds(30), "the customer's reply in the history");
        Assert.Equal("customer", line!["actor"]!.GetValue<string>());
        Assert.Equal("by mail; sender verified", line["rule"]!.GetValue<string>());
        Assert.Equal(Words, line["detail"]!.GetValue<string>());

        var report = Assert.Single(await EventuallyReportsAsync(MessageIdOf(stranger)));
        Assert.Equal(MailSenders.PublicReporterId, report.GetString("ReporterId"));
        var history = (await PortalCases.OpsCaseAsync(app, mailed.CaseId))["history"]!.AsArray();
        Assert.Single(history, h => h!["what"]!.GetValue<string>() == "customer-message");
        Assert.DoesNotContain(history, h => h!["detail"]?.GetValue<string>().Contains("Please stop it", StringComparison.Ordinal) == true);

        var page = await new PortalSession(app).OpenAsync(mailed.Link);
        Assert.Contains("You, by mail", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("(sender not verified)", page.Html, StringComparison.Ordinal);
    }

    private async Task<List<Azure.Data.Tables.TableEntity>> EventuallyReportsAsync(string messageId)
    {
        var found = new List<Azure.Data.Tables.TableEntity>();
        await Eventually.Async(async () => (found = await app.ReportsOfMailAsync(messageId)).Count > 0, TimeSpan.FromSeconds(30), $"a report of mail {messageId}");
        return found;
    }

    /// <summary>The customer's words relayed to the suite's reporter about this case, as maildev holds them.</summary>
    public static async Task<JsonNode> RelayedAsync(DeskApp app, string caseId)
    {
        JsonNode? relay = null;
        await Eventually.Async(async () => (relay = (await app.Mail.MailsToAsync(Reporter))
            .FirstOrDefault(m => m["subject"]!.GetValue<string>().Contains(caseId, StringComparison.Ordinal))) is not null,
            TimeSpan.FromSeconds(30), "the relayed mail");
        return relay!;
    }

    /// <summary>A reply to <paramref name="original"/> (a mail from maildev) as a mail program writes it: Re: subject, In-Reply-To, References, the original quoted.</summary>
    public static byte[] Reply(string from, JsonNode original, string words, string? header = null)
    {
        var quoted = string.Join("\r\n", Text(original).ReplaceLineEndings("\n").Split('\n').Take(5).Select(l => "> " + l));
        return Answer(from, original, "text/plain", $"{words.ReplaceLineEndings("\r\n")}\r\n\r\n{quoted}", header);
    }

    /// <summary>An HTML-only reply with Outlook's reply header block after the words.</summary>
    public static byte[] HtmlReply(string from, JsonNode original, string html, string? header = null) =>
        Answer(from, original, "text/html",
            $"""<html><body>{html}<hr><div id="divRplyFwdMsg"><b>From:</b> {from}<br><b>Sent:</b> Monday<br>{System.Net.WebUtility.HtmlEncode(Text(original)[..Math.Min(200, Text(original).Length)])}</div></body></html>""",
            header);

    private static string Text(JsonNode mail) => mail["text"]!.GetValue<string>();

    /// <summary>The answer to a mail maildev holds: its subject with "Re:", and its Message-ID in In-Reply-To and References.</summary>
    private static byte[] Answer(string from, JsonNode original, string contentType, string body, string? header)
    {
        var headers = original["headers"]!;
        var messageId = headers["message-id"]!.GetValue<string>();
        var references = headers["references"]?.GetValue<string>();
        return Encoding.UTF8.GetBytes($"""
            {(header is null ? "" : header + "\r\n")}From: {from}
            To: abuse@example.net
            Subject: Re: {original["subject"]!.GetValue<string>()}
            Date: Mon, 07 Dec 2026 10:00:00 +0000
            Message-ID: <reply-{Guid.NewGuid():N}@replies.test>
            In-Reply-To: {messageId}
            References: {references} {messageId}
            MIME-Version: 1.0
            Content-Type: {contentType}; charset="utf-8"

            {body}

            """.ReplaceLineEndings("\r\n"));
    }

    public static string MessageIdOf(byte[] raw) =>
        System.Text.RegularExpressions.Regex.Match(Encoding.UTF8.GetString(raw), @"Message-ID: <([^>]+)>").Groups[1].Value;
}
