using System.Text;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Domain.Parsing.Mail;

namespace AbuseDesk.Domain.Tests.Parsing.Mail;

public class FreeTextMailFormatTests
{
    [Fact]
    public void Complaint_yields_low_confidence_free_text_events()
    {
        var outcome = MailSamples.Parse("freetext-bruteforce.eml");

        Assert.False(outcome.Failed, outcome.Error);
        Assert.Equal("free-text", outcome.Format);
        var reportEvent = Assert.Single(outcome.Events);
        Assert.Equal("192.0.2.44", reportEvent.Ip);
        Assert.Equal(AbuseClass.Bruteforce, reportEvent.AbuseClass);
        Assert.Equal("free-text", reportEvent.ReportType);
        Assert.True(reportEvent.LowConfidence);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 4, 55, TimeSpan.Zero), reportEvent.OccurredAt);
        Assert.Contains("Failed password for root from 192.0.2.44", reportEvent.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Complainants_own_hosts_private_addresses_and_own_links_are_left_out()
    {
        // 198.51.100.9 is in the complaint's own Received header, 10.20.0.1 is private and the
        // signature links to the complainant's domain: only the attacker is left.
        var ips = MailSamples.Parse("freetext-bruteforce.eml").Events.Select(e => e.Ip ?? e.Url);

        Assert.Equal(["192.0.2.44"], ips);
    }

    [Fact]
    public void Forwarded_message_yields_its_sending_host_and_advertised_url_but_not_the_receiving_side()
    {
        var outcome = MailSamples.Parse("freetext-forwarded.eml");

        Assert.Equal("free-text", outcome.Format);
        Assert.Equal(["192.0.2.25", "http://shop.customer.example/amazing?ref=jane"], outcome.Events.Select(e => e.Ip ?? e.Url));
        Assert.All(outcome.Events, e => Assert.Equal(AbuseClass.Spam, e.AbuseClass));
        Assert.Contains("Found in: Received header of the forwarded message", outcome.Events[0].Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Quoted_received_header_yields_the_from_host_only()
    {
        var outcome = MailSamples.Parse("freetext-quoted-headers.eml");

        var reportEvent = Assert.Single(outcome.Events);
        Assert.Equal("203.0.113.66", reportEvent.Ip);
        Assert.Equal(AbuseClass.Spam, reportEvent.AbuseClass);
    }

    [Fact]
    public void Html_only_complaint_is_read_from_its_text_and_links_but_not_scripts_styles_or_images()
    {
        var outcome = MailSamples.Parse("freetext-html-only.eml");

        Assert.Equal("free-text", outcome.Format);
        Assert.Equal(
            ["http://198.51.100.23/secure/login.php", "https://secure-bank.customer.example/login?x=1&y=2"],
            outcome.Events.Select(e => e.Url));
        Assert.Equal("198.51.100.23", outcome.Events[0].Ip);
        Assert.All(outcome.Events, e => Assert.Equal(AbuseClass.Phishing, e.AbuseClass));
    }

    [Fact]
    public void Ipv6_addresses_are_found_and_normalised()
    {
        var outcome = MailSamples.Parse("freetext-ipv6.eml");

        Assert.Equal(["2001:db8:4d2::17", "2001:db8:4d2::18"], outcome.Events.Select(e => e.Ip));
        Assert.All(outcome.Events, e => Assert.Equal(AbuseClass.Scanning, e.AbuseClass));
    }

    [Theory]
    [InlineData("unrecognized-private-only.eml")]
    [InlineData("unrecognized-own-links.eml")]
    public void Mail_naming_no_public_address_stays_unrecognized(string fileName)
    {
        var outcome = MailSamples.Parse(fileName);

        Assert.True(outcome.Failed);
        Assert.Equal(ReportFormats.Unknown, outcome.Format);
        Assert.Equal("unrecognized format", outcome.Error);
    }

    [Theory]
    [InlineData("Phishing page on your server", AbuseClass.Phishing)]
    [InlineData("Somebody harvests credentials", AbuseClass.Phishing)]
    [InlineData("Your host spreads a trojan", AbuseClass.Malware)]
    [InlineData("virus download", AbuseClass.Malware)]
    [InlineData("Unsolicited mail", AbuseClass.Spam)]
    [InlineData("SPAM!!!", AbuseClass.Spam)]
    [InlineData("ssh login attempts", AbuseClass.Bruteforce)]
    [InlineData("DDoS against our site", AbuseClass.Ddos)]
    [InlineData("SYN flood", AbuseClass.Ddos)]
    [InlineData("portscan detected", AbuseClass.Scanning)]
    [InlineData("DMCA takedown", AbuseClass.Copyright)]
    [InlineData("copyright infringement", AbuseClass.Copyright)]
    [InlineData("This shop is a scam", AbuseClass.Fraud)]
    [InlineData("Something odd", AbuseClass.Other)]
    [InlineData("phishing spam", AbuseClass.Phishing)]
    public void Class_follows_what_the_person_writes(string subject, AbuseClass expected)
    {
        var outcome = ReportParsing.Text(MailSamples.PlainMail(subject, "See 192.0.2.50."), ReportParsing.Mail);

        Assert.Equal(expected, Assert.Single(outcome.Events).AbuseClass);
    }

    [Fact]
    public void Words_in_the_quoted_original_do_not_decide_the_class()
    {
        var body = "This host keeps scanning us: 192.0.2.51\n\n-----Original Message-----\n> buy our phishing-proof trojan-free virus scanner";

        var outcome = ReportParsing.Text(MailSamples.PlainMail("complaint", body), ReportParsing.Mail);

        Assert.Equal(AbuseClass.Scanning, Assert.Single(outcome.Events).AbuseClass);
    }

    [Fact]
    public void Repeated_addresses_are_one_event_and_an_ip_named_by_a_url_is_the_url()
    {
        var body = "192.0.2.52 again 192.0.2.52, and http://192.0.2.53/x then 192.0.2.53 and hxxp://phish.customer[.]example/a";

        var outcome = ReportParsing.Text(MailSamples.PlainMail("phishing", body), ReportParsing.Mail);

        Assert.Equal(
            ["192.0.2.52 ", "192.0.2.53 http://192.0.2.53/x", " http://phish.customer.example/a"],
            outcome.Events.Select(e => $"{e.Ip} {e.Url}"));
    }

    [Fact]
    public void At_most_fifty_addresses_are_kept()
    {
        var body = string.Join('\n', Enumerable.Range(1, 120).Select(i => $"attack from 198.51.100.{i}"));

        var outcome = ReportParsing.Text(MailSamples.PlainMail("attacks", body), ReportParsing.Mail);

        Assert.Equal(ComplaintReader.MaxAddresses, outcome.Events.Count);
        Assert.Equal("198.51.100.1", outcome.Events[0].Ip);
    }

    [Fact]
    public void Only_the_first_256_KB_of_a_huge_complaint_is_scanned()
    {
        var body = new StringBuilder("spam from 192.0.2.60\n");
        while (body.Length < 3 * ComplaintReader.MaxScannedChars)
        {
            body.Append("lorem ipsum dolor sit amet 999.1.1.1 12:34:56 deadbeef::cafe 0.0.0.0\n");
        }

        body.Append("and from 192.0.2.61\n");

        var outcome = ReportParsing.Text(MailSamples.PlainMail("spam", body.ToString()), ReportParsing.Mail);

        Assert.Equal(["192.0.2.60"], outcome.Events.Select(e => e.Ip));
        Assert.All(outcome.Events, e => Assert.True(e.Evidence!.Length <= ReportEvent.MaxEvidenceLength));
    }

    [Fact]
    public void Evidence_shows_no_email_address()
    {
        var body = "I am jane.doe+abuse@mailbox.example and 192.0.2.62 spammed me at jane@mailbox.example.";

        var outcome = ReportParsing.Text(MailSamples.PlainMail("spam to jane@mailbox.example", body), ReportParsing.Mail);

        var evidence = Assert.Single(outcome.Events).Evidence!;
        Assert.DoesNotContain("@", evidence, StringComparison.Ordinal);
        Assert.Contains(MailboxRedaction.Placeholder, evidence, StringComparison.Ordinal);
    }
}
