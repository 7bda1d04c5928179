using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Parsing.Mail;

/// <summary>What a person's complaint names, read as people really write it.</summary>
public class ComplaintReaderTests
{
    [Fact]
    public void Ips_named_after_a_long_list_of_urls_are_kept_within_the_cap()
    {
        var outcome = MailSamples.Parse("reading/freetext-urls-before-ips.eml");

        Assert.Equal("free-text", outcome.Format);
        Assert.Equal(50, outcome.Events.Count);
        Assert.Equal(["203.0.113.210", "203.0.113.211"], outcome.Events.Where(e => e.Ip is not null).Select(e => e.Ip));
    }

    [Fact]
    public void Headers_pasted_flat_yield_the_sending_hosts_and_not_the_receiving_side()
    {
        var outcome = MailSamples.Parse("reading/freetext-flat-pasted-headers.eml");

        // Not the recipient's internal hops ("Received: by 2002:a05:…", X-Received) nor Outlook's front end.
        Assert.Equal(["192.0.2.233", "192.0.2.234"], outcome.Events.Where(e => e.Ip is not null).Select(e => e.Ip).Order(StringComparer.Ordinal));
        Assert.All(outcome.Events, e => Assert.Equal(AbuseClass.Spam, e.AbuseClass));
        Assert.Contains(outcome.Events, e => e.Evidence!.Contains("pasted Received header", StringComparison.Ordinal));
    }

    [Fact]
    public void Traceroute_hops_are_not_taken_for_the_reported_host()
    {
        var body = """
            The phishing site is at 203.0.113.90.

            Traceroute:
             1  gw.reporter-net.example (192.0.2.1)  0.512 ms  0.430 ms
             2  ae-4.edge6.transit.example (198.51.100.250)  12.1 ms
             3  * * *
             4  203.0.113.90  20.4 ms
            """;

        var outcome = ReportParsing.Text(MailSamples.PlainMail("Phishing site", body), ReportParsing.Mail);

        Assert.Equal(["203.0.113.90"], outcome.Events.Select(e => e.Ip));
    }

    [Fact]
    public void Spam_trap_redirect_yields_the_host_that_delivered_to_the_trap()
    {
        var outcome = MailSamples.Parse("reading/spamtrap-resent.eml");

        Assert.Equal("free-text", outcome.Format);
        var reportEvent = Assert.Single(outcome.Events);
        Assert.Equal("203.0.113.144", reportEvent.Ip);
        Assert.Equal(AbuseClass.Spam, reportEvent.AbuseClass);
        Assert.True(reportEvent.LowConfidence);
        Assert.Contains("Received header of the redirected message", reportEvent.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_resent_block_the_mails_own_received_headers_stay_the_reporters()
    {
        var text = MailSamples.Text("reading/spamtrap-resent.eml").Replace("Resent-", "X-Was-Resent-", StringComparison.Ordinal);

        var outcome = ReportParsing.Text(text, ReportParsing.Mail);

        Assert.DoesNotContain(outcome.Events, e => e.Ip == "203.0.113.144");
    }
}
