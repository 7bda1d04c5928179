using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Parsing.Mail;

/// <summary>
/// The smaller reporter layouts on samples written here (the real mails are in the conformance corpus):
/// Project Honey Pot, Clean-MX, Webiron, cyscon and AbuseHub.
/// </summary>
public class ReporterLayoutTests
{
    [Fact]
    public void Project_honey_pot_sections_decide_the_report_type()
    {
        var mail = MailSamples.PlainMail(
            "Project Honey Pot Monitor Report (11/01/2026 - 11/19/2026)",
            """
            Below is your Project Honey Pot Monitor Report for 11/01/2026 - 11/19/2026.

            IPs Engaged In Harvesting On Your Network:

            192.0.2.61 (H)
              - Thu, 19 Nov 2026 11:00AM PDT

            IPs Engaged In Email Spamming On Your Network:

            none

            IPs Engaged In Dictionary Attacks On Your Network:

            2001:db8:61::2 (D)

            ---------------------------------------
            192.0.2.99 is not in a section.
            """);

        var outcome = ReportParsing.Text(mail, ReportParsing.Mail);

        Assert.Equal("projecthoneypot", outcome.Format);
        Assert.Collection(
            outcome.Events,
            e =>
            {
                Assert.Equal(("192.0.2.61", "projecthoneypot-harvester", AbuseClass.Spam), (e.Ip, e.ReportType, e.AbuseClass));
                Assert.Equal(new DateTimeOffset(2026, 11, 19, 18, 0, 0, TimeSpan.Zero), e.OccurredAt);
            },
            e => Assert.Equal(("2001:db8:61::2", "projecthoneypot-dictionary-attacker"), (e.Ip, e.ReportType)));
    }

    [Fact]
    public void Clean_mx_phishing_table_yields_each_row()
    {
        var mail = MailSamples.PlainMail(
            "[clean-mx-phishing-1234](192.0.2.70)-->(abuse@hosting.example) phishing sites (2 so far) within your network",
            """
            Dear abuse team, please have a look on these phishing sites. clean-mx.de

            |date |id |virusname |ip |domain |Url|
            +----------------------------------
            |2026-11-19 07:49:54 CEST |1234 |phish |192.0.2.70 |bank.customer.example |http://bank.customer.example/login
            |2026-11-19 08:00:00 CEST |1235 |phish |not-an-ip |shop.customer.example |http://198.51.100.71/x
            +----------------------------------
            """);

        var outcome = ReportParsing.Text(mail, ReportParsing.Mail);

        Assert.Equal("clean-mx", outcome.Format);
        Assert.Collection(
            outcome.Events,
            e =>
            {
                Assert.Equal(("192.0.2.70", "http://bank.customer.example/login", AbuseClass.Phishing), (e.Ip, e.Url, e.AbuseClass));
                Assert.Equal(new DateTimeOffset(2026, 11, 19, 5, 49, 54, TimeSpan.Zero), e.OccurredAt);
            },
            e => Assert.Equal(("198.51.100.71", "http://198.51.100.71/x"), (e.Ip, e.Url)));
    }

    [Fact]
    public void Webiron_yields_one_event_per_blocked_request()
    {
        var mail = MailSamples.PlainMail(
            "Batched Abuse Report - Web and network attacks from IP 192.0.2.80",
            """
            Unwanted and or Abusive Web Requests:

            Offending IP:  192.0.2.80

                   - Issue: Brute force login attempts against WordPress.
                   - Time: 2026-11-19 17:03:11-07:00
                   - Port: 443
                   - Targeted URL: https://victim.example/wp-login.php

                   - Issue: Client software detected as known botware.
                   - Time: 2026-11-19 17:04:00-07:00
            """);

        var outcome = ReportParsing.Text(mail, ReportParsing.Mail);

        Assert.Equal("webiron", outcome.Format);
        Assert.Collection(
            outcome.Events,
            e =>
            {
                Assert.Equal(("192.0.2.80", 443, AbuseClass.Bruteforce, "webiron-login-attack"), (e.Ip, e.Port, e.AbuseClass, e.ReportType));
                Assert.Null(e.Url);
                Assert.Contains("Targeted URL: https://victim.example/wp-login.php", e.Evidence, StringComparison.Ordinal);
                Assert.Equal(new DateTimeOffset(2026, 11, 20, 0, 3, 11, TimeSpan.Zero), e.OccurredAt);
            },
            e => Assert.Equal((AbuseClass.Botnet, "webiron-botnet"), (e.AbuseClass, e.ReportType)));
    }

    [Fact]
    public void Cyscon_log_block_yields_the_finding()
    {
        var mail = MailSamples.PlainMail(
            "[CSIRT#2026111910000001] Malicious content (CYSC.PHISHING.GEN) hosted on 192.0.2.90 within your network!",
            """
            ########################################################################
            # begin logs

            IP:             192.0.2.90
            URL:            http://paypal.customer.example/signin
            Tested on:      2026-11-19 04:04:18 +0200
            Result:         CYSC.PHISHING.GEN

            # end logs
            ########################################################################
            """);

        var outcome = ReportParsing.Text(mail, ReportParsing.Mail);

        Assert.Equal("cyscon", outcome.Format);
        var e = Assert.Single(outcome.Events);
        Assert.Equal(("192.0.2.90", "http://paypal.customer.example/signin", AbuseClass.Phishing, "cyscon-phishing"), (e.Ip, e.Url, e.AbuseClass, e.ReportType));
        Assert.Equal(new DateTimeOffset(2026, 11, 19, 2, 4, 18, TimeSpan.Zero), e.OccurredAt);
    }

    [Fact]
    public void Abusehub_csv_rows_take_the_offset_the_body_states()
    {
        var mail = """
            From: reports@reports.abusehub.example
            To: abuse@hosting.example
            Subject: [Abusehub] [192.0.2.95] [Spam Trap] Incident Report
            Date: Thu, 19 Nov 2026 16:56:01 +0100
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="hub"

            --hub
            Content-Type: text/plain; charset=UTF-8

            We received an abuse report about abuse from 192.0.2.95 (event time 2026-11-19 01:45:59 +01:00).

            --hub
            Content-Type: text/csv
            Content-Disposition: attachment; filename="abusehubcsv-1.0.0.csv"

            reliable_notifier,report_type,infection_type,event_date,event_time,src_asn,src_ip,src_port,protocol
            "Trap Operator","Spam Trap",,2026-11-19,01:45:59,64496,192.0.2.95,25,tcp
            "Trap Operator","Spam Trap",,2026-11-19,02:00:00,64496,192.0.2.256,25,tcp
            --hub--
            """;

        var outcome = ReportParsing.Text(mail, ReportParsing.Mail);

        Assert.Equal("abusehub", outcome.Format);
        var e = Assert.Single(outcome.Events);
        Assert.Equal(("192.0.2.95", 25, AbuseClass.Spam, "abusehub-spam-trap"), (e.Ip, e.Port, e.AbuseClass, e.ReportType));
        Assert.Equal(new DateTimeOffset(2026, 11, 19, 0, 45, 59, TimeSpan.Zero), e.OccurredAt);
    }

    [Fact]
    public void Abusehub_csv_with_an_oversized_record_fails_with_a_reason()
    {
        var mail = $"""
            From: reports@reports.abusehub.example
            To: abuse@hosting.example
            Subject: [Abusehub] Incident Report
            MIME-Version: 1.0
            Content-Type: text/csv

            reliable_notifier,report_type,src_ip
            "{new string('a', 300_000)}",Spam Trap,192.0.2.96
            """;

        var outcome = ReportParsing.Text(mail, ReportParsing.Mail);

        Assert.True(outcome.Failed);
        Assert.Equal("abusehub", outcome.Format);
    }
}
