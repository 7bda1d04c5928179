using AbuseDesk.Domain.Parsing;
using AbuseDesk.Domain.Parsing.Shadowserver;
using MimeKit;

namespace AbuseDesk.Domain.Tests.Parsing.Shadowserver;

public class ShadowserverMailFormatTests
{
    private const string ScanCsv = "timestamp,ip,port\n2026-11-20 00:00:00,192.0.2.1,22\n2026-11-20 00:00:01,192.0.2.2,22\n";

    [Fact]
    public void Mail_with_a_zipped_report_attachment_yields_its_rows()
    {
        var mail = Mail(("2026-11-20-scan_ssh-asn-example.csv.zip", ShadowserverZipTests.Zip(("2026-11-20-scan_ssh-asn-example.csv", ScanCsv))));

        var outcome = Parse(mail);

        Assert.False(outcome.Failed, outcome.Error);
        Assert.Equal("shadowserver", outcome.Format);
        Assert.Equal(["192.0.2.1", "192.0.2.2"], outcome.Events.Select(e => e.Ip));
        Assert.All(outcome.Events, e => Assert.Equal("scan_ssh", e.ReportType));
        Assert.All(outcome.Events, e => Assert.Equal(AbuseClass.VulnerableService, e.AbuseClass));
    }

    [Fact]
    public void Several_report_attachments_stream_one_after_another_each_with_its_own_type()
    {
        var mail = Mail(
            ("2026-11-20-scan_ssh-asn-example.csv", System.Text.Encoding.UTF8.GetBytes(ScanCsv)),
            ("2026-11-20-event4_sinkhole-asn-example.csv.zip", ShadowserverZipTests.Zip(("x.csv", "timestamp,src_ip,src_port\n2026-11-20 00:00:00,198.51.100.9,5555\n"))));

        var outcome = Parse(mail);

        Assert.False(outcome.Failed, outcome.Error);
        Assert.Equal(["192.0.2.1", "192.0.2.2", "198.51.100.9"], outcome.Events.Select(e => e.Ip));
        Assert.Equal(["scan_ssh", "scan_ssh", "event4_sinkhole"], outcome.Events.Select(e => e.ReportType));
        Assert.Equal(AbuseClass.Botnet, outcome.Events[2].AbuseClass);
    }

    [Fact]
    public void An_unreadable_attachment_among_others_is_skipped_with_a_note()
    {
        var mail = Mail(
            ("2026-11-20-scan_rdp-asn-example.csv", System.Text.Encoding.UTF8.GetBytes("hostname,tag\na.example,rdp\n")),
            ("2026-11-20-scan_ssh-asn-example.csv", System.Text.Encoding.UTF8.GetBytes(ScanCsv)));

        using var stream = ToStream(mail);
        using var reading = ReportParser.Open(stream, new ReportInput("message/rfc822"));
        var events = reading.Events.ToList();

        Assert.Null(reading.Error);
        Assert.Equal(["192.0.2.1", "192.0.2.2"], events.Select(e => e.Ip));
        Assert.Contains(reading.Notes.Items, note => note.StartsWith("attachment '2026-11-20-scan_rdp-asn-example.csv': no ip, src_ip or url column", StringComparison.Ordinal));
    }

    [Fact]
    public void An_empty_attachment_among_others_is_fine_but_a_mail_of_empty_reports_is_rejected()
    {
        var header = System.Text.Encoding.UTF8.GetBytes("timestamp,ip,port\n");
        var mixed = Mail(("2026-11-20-scan_rdp-asn-example.csv", header), ("2026-11-20-scan_ssh-asn-example.csv", System.Text.Encoding.UTF8.GetBytes(ScanCsv)));
        var empty = Mail(("2026-11-20-scan_rdp-asn-example.csv", header), ("2026-11-20-scan_ssh-asn-example.csv", header));

        var mixedOutcome = Parse(mixed);
        var emptyOutcome = Parse(empty);

        Assert.False(mixedOutcome.Failed, mixedOutcome.Error);
        Assert.Equal(2, mixedOutcome.Events.Count);
        Assert.True(emptyOutcome.Failed);
        Assert.Equal("the report has a header but no data rows", emptyOutcome.Error);
    }

    [Fact]
    public void A_mail_whose_only_report_is_unreadable_fails_with_the_reason()
    {
        var mail = Mail(("2026-11-20-scan_rdp-asn-example.csv", System.Text.Encoding.UTF8.GetBytes("hostname,tag\na.example,rdp\n")));

        var outcome = Parse(mail);

        Assert.True(outcome.Failed);
        Assert.Equal("shadowserver", outcome.Format);
        Assert.StartsWith("attachment '2026-11-20-scan_rdp-asn-example.csv': no ip, src_ip or url column", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Zip_bomb_in_an_attachment_is_rejected()
    {
        var bomb = ShadowserverZipTests.Zip(
            System.IO.Compression.CompressionLevel.SmallestSize,
            ("scan_ssh.csv", "ip,banner\n" + string.Concat(Enumerable.Repeat($"192.0.2.1,{new string('A', 4000)}\n", 10_000))));
        var mail = Mail(("2026-11-20-scan_ssh-asn-example.csv.zip", bomb));

        var outcome = Parse(mail);

        Assert.True(outcome.Failed);
        Assert.Contains("possible zip bomb", outcome.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2015-01-01-scan_ipmi-sample-asn.csv.zip", true)]
    [InlineData("2019-10-15-scan_ldap_tcp-sample-asn.csv", true)]
    [InlineData("2026-11-20-scan_newservice-asn.csv", true)]
    [InlineData("scan_ssh.csv", true)]
    [InlineData("scan_ssh.zip", true)]
    [InlineData("report.csv", false)]
    [InlineData("scan_ssh.txt", false)]
    [InlineData("2026-11-20-scan_ssh-asn.pdf", false)]
    [InlineData("invoice.zip", false)]
    public void Claims_a_mail_by_its_report_attachment_name(string fileName, bool claimed)
    {
        var mail = Mail((fileName, System.Text.Encoding.UTF8.GetBytes(ScanCsv)));

        Assert.Equal(claimed, new ShadowserverMailFormat().Claims(mail));
    }

    [Fact]
    public void The_sender_alone_does_not_make_a_shadowserver_mail()
    {
        var mail = Mail();
        mail.From.Clear();
        mail.From.Add(new MailboxAddress("Shadowserver", "autoreports@shadowserver.org"));

        Assert.False(new ShadowserverMailFormat().Claims(mail));
    }

    private static MimeMessage Mail(params (string FileName, byte[] Content)[] attachments)
    {
        var body = new BodyBuilder { TextBody = "The report content is attached." };
        foreach (var (fileName, content) in attachments)
        {
            body.Attachments.Add(fileName, content, new ContentType("application", "octet-stream"));
        }

        var message = new MimeMessage
        {
            Subject = "[SAMPLE] Shadowserver Report",
            Body = body.ToMessageBody(),
        };
        message.From.Add(new MailboxAddress("Reporter", "reports@example.org"));
        message.To.Add(new MailboxAddress("Abuse", "abuse@example.net"));
        return message;
    }

    private static MemoryStream ToStream(MimeMessage message)
    {
        var stream = new MemoryStream();
        message.WriteTo(stream);
        stream.Position = 0;
        return stream;
    }

    private static ParseOutcome Parse(MimeMessage message)
    {
        using var stream = ToStream(message);
        return ReportParser.Parse(stream, new ReportInput("message/rfc822"));
    }
}
