using System.Text;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Domain.Parsing.Xarf;
using MimeKit;

namespace AbuseDesk.Domain.Tests.Parsing.Xarf;

public class XarfMailParsingTests
{
    [Fact]
    public void An_x_arf_0_2_mail_yields_the_reported_source_with_its_log_lines()
    {
        var outcome = XarfSampleFiles.Parse("x-arf-0.2-login-attack.eml");

        Assert.Null(outcome.Error);
        Assert.Equal(XarfFormats.Mail, outcome.Format);
        var e = Assert.Single(outcome.Events);
        Assert.Equal("198.51.100.23", e.Ip);
        Assert.Equal(22, e.Port);
        Assert.Null(e.Url);
        Assert.Equal(AbuseClass.Bruteforce, e.AbuseClass);
        Assert.Equal(Severity.High, e.Severity);
        Assert.Equal("x-arf-login-attack", e.ReportType);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 9, 4, 5, TimeSpan.Zero), e.OccurredAt);
        Assert.Contains("Service: ssh", e.Evidence, StringComparison.Ordinal);
        Assert.Contains("Reported-From: reports@fail2ban.example", e.Evidence, StringComparison.Ordinal);
        Assert.Contains("Log: Mar 1 10:04:05 ssh1 sshd[9214]: Invalid user oracle from 198.51.100.23 port 40530", e.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void An_x_arf_report_about_a_uri_yields_the_url()
    {
        var e = Assert.Single(XarfSampleFiles.Parse("x-arf-0.1-phishing-uri.eml").Events);

        Assert.Null(e.Ip);
        Assert.Equal("https://account-verify.example.com/login", e.Url);
        Assert.Equal(443, e.Port);
        Assert.Equal(AbuseClass.Phishing, e.AbuseClass);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 5, 55, 0, TimeSpan.Zero), e.OccurredAt);
    }

    [Fact]
    public void An_attached_message_is_described_by_its_headers_without_its_recipient()
    {
        var e = Assert.Single(XarfSampleFiles.Parse("x-arf-spam-with-message.eml").Events);

        Assert.Equal("203.0.113.15", e.Ip);
        Assert.Equal(AbuseClass.Spam, e.AbuseClass);
        Assert.Equal(new DateTimeOffset(2026, 2, 3, 10, 58, 0, TimeSpan.Zero), e.OccurredAt);
        Assert.Contains("Subject: You are our lucky winner", e.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("trap-19@", e.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mail_pasted_as_text_evidence_keeps_its_recipients_out()
    {
        var pasted = "Received: from [203.0.113.15]\nFrom: winner@sender.example\nTo: complainant@victim.example\nDelivered-To: complainant@victim.example\nSubject: You won\n";

        var e = Assert.Single(XarfTestMail.Parse(XarfTestMail.XArf(XarfTestMail.LoginAttackReport, XarfTestMail.Log(pasted, "spam.txt"))).Events);

        Assert.Contains("Log: Subject: You won", e.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("complainant@", e.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_evidence_is_described_like_an_attached_message()
    {
        var headers = new TextPart("rfc822-headers") { Text = "From: winner@sender.example\nTo: complainant@victim.example\nSubject: You won\n\n" };

        var e = Assert.Single(XarfTestMail.Parse(XarfTestMail.XArf(XarfTestMail.LoginAttackReport, headers)).Events);

        Assert.Contains("Subject: You won", e.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("complainant@", e.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void A_xarf_v4_json_part_is_read_as_xarf_v4()
    {
        var outcome = XarfSampleFiles.Parse("xarf-v4-json-part.eml");

        Assert.Null(outcome.Error);
        Assert.Equal(XarfFormats.V4, outcome.Format);
        var e = Assert.Single(outcome.Events);
        Assert.Equal("203.0.113.77", e.Ip);
        Assert.Equal(AbuseClass.Bruteforce, e.AbuseClass);
    }

    [Fact]
    public void A_xarf_v3_json_attachment_in_a_multipart_report_is_read_as_xarf_v3()
    {
        var outcome = XarfSampleFiles.Parse("xarf-v3-json-in-report.eml");

        Assert.Null(outcome.Error);
        Assert.Equal(XarfFormats.V3, outcome.Format);
        Assert.Equal("198.51.100.23", Assert.Single(outcome.Events).Ip);
    }

    [Fact]
    public void An_invalid_xarf_json_part_fails_with_the_json_readers_reason()
    {
        var message = XarfTestMail.Envelope("XARF report");
        var json = XarfSampleFiles.Variant("v4-messaging-spam.json", "source_identifier", "\"999.1.1.1\"");
        message.Body = new Multipart("mixed")
        {
            new TextPart("plain") { Text = "See attachment." },
            new MimePart("application", "json") { Content = new MimeContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))), FileName = "x.json" },
        };

        var outcome = XarfTestMail.Parse(message);

        Assert.Equal("xarf-v4", outcome.Format);
        Assert.Contains("xarf v4: source_identifier: '999.1.1.1' is not an IP address", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_x_arf_header_alone_does_not_claim_a_mail()
    {
        using var message = MimeMessage.Load(XarfSampleFiles.PathOf("x-arf-declared-without-report.eml"));

        Assert.False(new XarfMailFormat().Claims(message));
    }

    [Fact]
    public void An_arf_feedback_report_is_not_claimed()
    {
        using var message = MimeMessage.Load(TestPaths.TestData("arf", "standard-abuse.eml"));

        Assert.False(new XarfMailFormat().Claims(message));
    }

    [Fact]
    public void A_forwarded_x_arf_mail_is_read()
    {
        using var original = MimeMessage.Load(XarfSampleFiles.PathOf("x-arf-0.2-login-attack.eml"));
        var forward = XarfTestMail.Envelope("Fwd: abuse report");
        forward.Body = new Multipart("mixed") { new TextPart("plain") { Text = "FYI, see below." }, new MessagePart { Message = original } };

        var outcome = XarfTestMail.Parse(forward);

        Assert.Equal(XarfFormats.Mail, outcome.Format);
        Assert.Equal("198.51.100.23", Assert.Single(outcome.Events).Ip);
    }

    [Fact]
    public void A_report_planted_in_an_undeclared_attached_message_is_not_claimed()
    {
        var planted = XarfTestMail.XArf(XarfTestMail.LoginAttackReport.Replace("198.51.100.23", "192.0.2.66", StringComparison.Ordinal), declared: false);
        var complaint = XarfTestMail.Envelope("Spam complaint");
        complaint.Body = new Multipart("mixed") { new TextPart("plain") { Text = "I received the attached spam." }, new MessagePart { Message = planted } };

        Assert.False(new XarfMailFormat().Claims(complaint));
    }

    [Fact]
    public void An_undeclared_mail_is_claimed_by_a_report_txt_with_the_x_arf_fields()
    {
        var outcome = XarfTestMail.Parse(XarfTestMail.XArf(XarfTestMail.LoginAttackReport, declared: false));

        Assert.Equal(XarfFormats.Mail, outcome.Format);
        Assert.Equal("198.51.100.23", Assert.Single(outcome.Events).Ip);
    }

    [Fact]
    public void A_text_part_with_a_couple_of_colon_lines_is_not_taken_for_a_report()
    {
        var message = XarfTestMail.Envelope("abuse");
        message.Body = new TextPart("plain") { Text = "Hello,\nSource: 192.0.2.1\nReport-Type: spam\nplease act.\n" };

        using var stream = new MemoryStream(XarfTestMail.Bytes(message));
        using var loaded = MimeMessage.Load(stream);

        Assert.False(new XarfMailFormat().Claims(loaded));
    }

    [Theory]
    [InlineData("Source: 198.51.100.23\n", "", "x-arf: Source: missing")]
    [InlineData("Report-Type: login-attack\n", "", "x-arf: Report-Type: missing")]
    [InlineData("Source: 198.51.100.23\n", "Source: 999.1.1.1\n", "x-arf: Source: '999.1.1.1' is not an IP address (Source-Type ip-address)")]
    [InlineData("Source-Type: ip-address\n", "Source-Type: uri\n", "x-arf: Source: '198.51.100.23' is not a URL with a host (Source-Type uri)")]
    [InlineData("Source-Type: ip-address\nSource: 198.51.100.23\n", "Source-Type: pigeon\nSource: over the hills\n", "x-arf: Source: 'over the hills' is neither an IP address nor a URL (unknown Source-Type 'pigeon')")]
    [InlineData("Port: 22\n", "Port: 22\nSource: 192.0.2.9\n", "x-arf: Source: given more than once")]
    public void An_invalid_report_txt_is_noted_naming_the_field_and_the_mail_read_as_free_text(string find, string replace, string reason)
    {
        var report = XarfTestMail.LoginAttackReport.ReplaceLineEndings("\n") + "\n";
        var mail = Encoding.UTF8.GetString(XarfTestMail.Bytes(XarfTestMail.XArf(report.Replace(find, replace, StringComparison.Ordinal))));

        var (outcome, notes) = ReportParsing.WithNotes(mail);

        // The human part still says which host attacked; the report keeps why report.txt was not read.
        Assert.Equal("free-text", outcome.Format);
        Assert.Contains("198.51.100.23", outcome.Events.Select(e => e.Ip));
        Assert.Contains(notes, n => n.StartsWith($"{XarfFormats.Mail} could not read the mail ({reason}", StringComparison.Ordinal));
    }

    [Fact]
    public void A_source_of_an_unknown_source_type_is_read_as_what_it_unambiguously_is()
    {
        var report = XarfTestMail.LoginAttackReport.Replace("Source-Type: ip-address", "Source-Type: ipv4-address", StringComparison.Ordinal);

        Assert.Equal("198.51.100.23", Assert.Single(XarfTestMail.Parse(XarfTestMail.XArf(report)).Events).Ip);
    }

    [Fact]
    public void An_unreadable_date_or_port_is_noted_and_left_out()
    {
        var report = XarfTestMail.LoginAttackReport.ReplaceLineEndings("\n")
            .Replace("Date: Sun, 01 Mar 2026 10:04:05 +0100", "Date: last Sunday", StringComparison.Ordinal)
            .Replace("Port: 22", "Port: ssh", StringComparison.Ordinal);
        using var stream = new MemoryStream(XarfTestMail.Bytes(XarfTestMail.XArf(report)));

        using var reading = ReportParser.Open(stream, new ReportInput(ReportParsing.Mail));
        var e = Assert.Single(reading.Events);

        Assert.Null(e.OccurredAt);
        Assert.Null(e.Port);
        Assert.Contains(reading.Notes.Items, n => n.Contains("Date: 'last Sunday' is not a date", StringComparison.Ordinal));
        Assert.Contains(reading.Notes.Items, n => n.Contains("Port: 'ssh' is not a port number", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("login-attack", "abuse", AbuseClass.Bruteforce)]
    [InlineData("Login_Attack", "abuse", AbuseClass.Bruteforce)]
    [InlineData("malware-attack", "abuse", AbuseClass.Malware)]
    [InlineData("phishing", "fraud", AbuseClass.Phishing)]
    [InlineData("spam", "abuse", AbuseClass.Spam)]
    [InlineData("regbot", "abuse", AbuseClass.Spam)]
    [InlineData("harvesting", "abuse", AbuseClass.Spam)]
    [InlineData("ddos", "abuse", AbuseClass.Ddos)]
    [InlineData("irc-bot", "abuse", AbuseClass.Botnet)]
    [InlineData("hack-attack", "abuse", AbuseClass.Scanning)]
    [InlineData("portscan", "abuse", AbuseClass.Scanning)]
    [InlineData("copyright", "abuse", AbuseClass.Copyright)]
    [InlineData("advance-fee", "fraud", AbuseClass.Fraud)]
    [InlineData("info", "info", AbuseClass.Other)]
    [InlineData("something-new", "abuse", AbuseClass.Other)]
    public void Report_types_map_to_abuse_classes(string reportType, string category, AbuseClass expected)
    {
        Assert.Equal(expected, XarfYamlTaxonomy.Rule(reportType, category).AbuseClass);
    }
}
