using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AbuseDesk.Functions.Intake;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Tests.Intake;

/// <summary>
/// The abuse mailbox end to end: mail delivered to ./test's dovecot over IMAP, read by the suite's app
/// (ReadAbuseMailbox, every second), taken in as reports, parsed into cases, and the messages moved.
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class AbuseMailboxTests(DeskApp app)
{
    private const string Customer = "cust-mailbox";

    [Fact]
    public async Task A_complaint_mailed_by_anyone_becomes_a_public_report_whose_case_opens_and_the_message_moves_to_stored()
    {
        var messageId = NewMessageId();
        await TestMailbox.DeliverAsync(Arf("someone@random.example", messageId, "2001:db8:95::7"));

        var report = await ReportOfAsync(messageId);
        Assert.Equal(MailSenders.PublicReporterId, report.GetString("ReporterId"));
        var status = await app.WaitForReportAsync(report.PartitionKey);
        Assert.Equal("parsed", status["status"]!.GetValue<string>());
        Assert.Equal("someone@random.example", status["mail"]!["from"]!.GetValue<string>());
        Assert.False(status["mail"]!["authenticated"]!.GetValue<bool>());
        Assert.Contains("no known reporter", status["mail"]!["verdict"]!.GetValue<string>(), StringComparison.Ordinal);

        await Eventually.Async(async () => (await app.CasesAsync(Customer)).Count > 0, TimeSpan.FromSeconds(30), "the case to open");
        await Eventually.Async(async () => (await TestMailbox.MessageIdsAsync(TestMailbox.StoredFolder)).Contains(messageId), TimeSpan.FromSeconds(30), "the message to move");
        Assert.DoesNotContain(messageId, await TestMailbox.MessageIdsAsync("INBOX"));
    }

    [Fact]
    public async Task A_known_reporter_vouched_for_by_the_mailbox_providers_SPF_gets_its_mail_and_a_forged_From_does_not()
    {
        using (var create = app.Ops(HttpMethod.Post, "/api/ops/reporters"))
        {
            create.Content = JsonContent.Create(new { name = "Feed by mail", wantsFeedback = false, limits = DeskApp.FeedLimits, mailSenders = new[] { "@feed.desk.test" } });
            using var created = await app.Http.SendAsync(create);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var reporterId = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["reporterId"]!.GetValue<string>();

            var vouched = NewMessageId();
            await TestMailbox.DeliverAsync(Arf("reports@mx.feed.desk.test", vouched, "2001:db8:95::8",
                $"Authentication-Results: {TestMailbox.AuthServId}; spf=pass smtp.mailfrom=bounces@feed.desk.test"));
            var forged = NewMessageId();
            // The same From, and an Authentication-Results header the sender wrote itself: not the mailbox's MTA.
            await TestMailbox.DeliverAsync(Arf("reports@mx.feed.desk.test", forged, "2001:db8:95::9",
                "Authentication-Results: mx.attacker.test; spf=pass smtp.mailfrom=bounces@feed.desk.test"));

            var known = await ReportOfAsync(vouched);
            Assert.Equal(reporterId, known.GetString("ReporterId"));
            Assert.True(known.GetBoolean("MailAuthenticated"));
            var impostor = await ReportOfAsync(forged);
            Assert.Equal(MailSenders.PublicReporterId, impostor.GetString("ReporterId"));
            Assert.False(impostor.GetBoolean("MailAuthenticated"));
            Assert.Contains("neither DKIM nor SPF vouches", impostor.GetString("MailVerdict"), StringComparison.Ordinal);
        }

        // A sender one reporter holds cannot be given to another.
        using var second = app.Ops(HttpMethod.Post, "/api/ops/reporters");
        second.Content = JsonContent.Create(new { name = "Copycat", mailSenders = new[] { "@FEED.desk.test" } });
        using var conflict = await app.Http.SendAsync(second);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
    }

    [Theory]
    [InlineData("not an address")]
    [InlineData("@nodot")]
    [InlineData("victim@example.org\r\nBcc: injected@example.net")]
    public async Task A_bad_mail_sender_is_400_naming_the_field(string sender)
    {
        using var create = app.Ops(HttpMethod.Post, "/api/ops/reporters");
        create.Content = JsonContent.Create(new { name = "Bad sender", mailSenders = new[] { sender } });
        using var response = await app.Http.SendAsync(create);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("mailSenders", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_message_read_again_after_a_crash_before_its_move_is_the_same_report()
    {
        var messageId = NewMessageId();
        var raw = Arf("twice@random.example", messageId, "2001:db8:95::a");
        await TestMailbox.DeliverAsync(raw);
        var first = await ReportOfAsync(messageId);
        await Eventually.Async(async () => (await TestMailbox.MessageIdsAsync(TestMailbox.StoredFolder)).Contains(messageId), TimeSpan.FromSeconds(30), "the first move");

        // What a crash between storing the report and moving the message leaves: the same message in the inbox.
        await TestMailbox.DeliverAsync(raw);
        await Eventually.Async(async () => (await TestMailbox.MessageIdsAsync(TestMailbox.StoredFolder)).Count(id => id == messageId) == 2, TimeSpan.FromSeconds(30), "the second copy to move");

        Assert.DoesNotContain(messageId, await TestMailbox.MessageIdsAsync("INBOX"));
        var reports = await ReportsOfAsync(messageId);
        Assert.Equal(first.PartitionKey, Assert.Single(reports).PartitionKey);
    }

    [Fact]
    public async Task A_message_over_the_report_limit_is_refused_unread_and_listed_for_ops_with_its_subject_as_text()
    {
        var messageId = NewMessageId();
        await TestMailbox.DeliverAsync(Arf("big@random.example", messageId, "2001:db8:95::b", padding: (int)DeskApp.MaxReportBytes + 100_000,
            subject: "<script>alert(1)</script> huge"));

        await Eventually.Async(async () => (await TestMailbox.MessageIdsAsync(TestMailbox.RefusedFolder)).Contains(messageId), TimeSpan.FromSeconds(30), "the refusal");
        var queue = await app.OpsJsonAsync("/api/ops/queues/mailbox");
        var refusal = queue["refused"]!.AsArray().Single(r => r!["messageId"]!.GetValue<string>() == messageId)!;
        Assert.Contains("report limit", refusal["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("<script>alert(1)</script> huge", refusal["subject"]!.GetValue<string>());
        Assert.Empty(await ReportsOfAsync(messageId));
        Assert.True((await app.OpsJsonAsync("/api/ops/queues"))["mailbox"]!["refused"]!.GetValue<long>() >= 1);
    }

    [Fact]
    public async Task A_mailbox_that_refuses_the_sign_in_is_a_failing_line_in_the_ops_queues_logged_once_and_reads_again_when_back()
    {
        var users = Path.Combine(TestMailbox.Directory, "users");
        var original = await File.ReadAllTextAsync(users);
        var before = Count(app.Log, "cannot be read since");
        try
        {
            // dovecot reads its passwd-file at every sign-in: the app's password no longer works.
            await File.WriteAllTextAsync(users, original.Replace(TestMailbox.Password, "changed-" + Guid.NewGuid().ToString("N"), StringComparison.Ordinal));
            JsonNode? mailbox = null;
            await Eventually.Async(async () =>
            {
                mailbox = (await app.OpsJsonAsync("/api/ops/queues"))["mailbox"]!;
                return mailbox["state"]!.GetValue<string>() == "failing" && mailbox["consecutiveFailures"]!.GetValue<int>() >= 3;
            }, TimeSpan.FromSeconds(30), "three failed reads");

            Assert.Contains("Authentication", mailbox!["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.NotNull(mailbox["failingSince"]);
            using var health = await app.Http.GetAsync(new Uri("/api/health", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            // One error when the outage starts; the runs after it are warnings, not an alert each.
            Assert.Equal(before + 1, Count(app.Log, "cannot be read since"));
        }
        finally
        {
            await File.WriteAllTextAsync(users, original);
        }

        await Eventually.Async(async () => (await app.OpsJsonAsync("/api/ops/queues"))["mailbox"]!["state"]!.GetValue<string>() == "ok", TimeSpan.FromSeconds(30), "the mailbox to be read again");
    }

    private static int Count(string text, string what)
    {
        var n = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }

    private static string NewMessageId() => $"mailbox-{Guid.NewGuid():N}@reporter.test";

    /// <summary>The report whose mail carries this Message-ID, once the app has stored it.</summary>
    private async Task<TableEntity> ReportOfAsync(string messageId)
    {
        TableEntity? found = null;
        await Eventually.Async(async () =>
        {
            found = (await ReportsOfAsync(messageId)).FirstOrDefault();
            return found is not null;
        }, TimeSpan.FromSeconds(30), $"a report of mail {messageId}");
        return found!;
    }

    private Task<List<TableEntity>> ReportsOfAsync(string messageId) => app.ReportsOfMailAsync(messageId);

    /// <summary>An ARF feedback-loop complaint about <paramref name="ip"/> (cust-mailbox's network).</summary>
    private static byte[] Arf(string from, string messageId, string ip, string? header = null, int padding = 0, string subject = "FW: spam from your network") =>
        Encoding.UTF8.GetBytes($"""
            {(header is null ? "" : header + "\r\n")}From: {from}
            To: abuse@example.net
            Subject: {subject}
            Date: Mon, 07 Dec 2026 06:00:00 +0000
            Message-ID: <{messageId}>
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=feedback-report; boundary="b1"

            --b1
            Content-Type: text/plain; charset="US-ASCII"

            This is an email abuse report for a message received from IP {ip}.
            {new string('x', padding).Chunk(76).Select(c => new string(c)).Aggregate(new StringBuilder(), (s, l) => s.Append(l).Append("\r\n"))}
            --b1
            Content-Type: message/feedback-report

            Feedback-Type: abuse
            User-Agent: MailboxTest/1.0
            Version: 1
            Source-IP: {ip}
            Arrival-Date: Mon, 07 Dec 2026 05:58:12 +0000

            --b1
            Content-Type: message/rfc822

            From: spammer@shop.example
            To: someone@mailbox-provider.example
            Subject: cheap watches
            Message-ID: <spam-{messageId}>

            Cheap watches!
            --b1--
            """.ReplaceLineEndings("\r\n"));
}
