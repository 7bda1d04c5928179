using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Parsing.Mail;

public class SafeBrowsingReportTests
{
    private static IReadOnlyList<ReportEvent> Events()
    {
        var outcome = MailSamples.Parse("safe-browsing.eml");
        Assert.False(outcome.Failed, outcome.Error);
        Assert.Equal("google-safe-browsing", outcome.Format);
        return outcome.Events;
    }

    [Fact]
    public void Every_readable_url_info_becomes_a_url_event()
    {
        Assert.Equal(
            [
                "http://blog.customer.example/wp-content/cache/",
                "https://secure-login.customer.example/bank/",
                "http://198.51.100.31/paypal/index.php",
                "http://[2001:db8:30:0:0:0:0:2]:8080/signin",
                "http://files.customer.example/setup.exe",
            ],
            Events().Select(e => e.Url));
    }

    [Fact]
    public void Ip_is_the_listed_one_or_else_the_urls_ip_host()
    {
        Assert.Equal(["192.0.2.30", "2001:db8:30::1", "198.51.100.31", "2001:db8:30::2", "203.0.113.32"], Events().Select(e => e.Ip));
    }

    [Fact]
    public void List_type_decides_class_and_report_type()
    {
        var events = Events();

        Assert.Equal((AbuseClass.Malware, "google-safe-browsing-malware"), (events[0].AbuseClass, events[0].ReportType));
        Assert.All(events.Skip(1).Take(3), e => Assert.Equal((AbuseClass.Phishing, "google-safe-browsing-phishing"), (e.AbuseClass, e.ReportType)));
        Assert.Equal((AbuseClass.Malware, "google-safe-browsing-malware-distribution"), (events[4].AbuseClass, events[4].ReportType));
        Assert.All(events, e => Assert.Equal(new DateTimeOffset(2026, 11, 19, 0, 0, 0, TimeSpan.Zero), e.OccurredAt));
    }

    [Fact]
    public void Report_with_a_DTD_is_refused_and_only_its_plain_text_is_read()
    {
        var mail = MailSamples.PlainMail(
            "Safe Browsing Report",
            """
            <?xml version="1.0"?>
            <!DOCTYPE notification_message [<!ENTITY u "http://expanded.example/">]>
            <notification_message asn="64496" date="2026-11-19"><list type="0"><url_info url="&u;" ip="192.0.2.30"/></list></notification_message>
            """);

        var (outcome, notes) = ReportParsing.WithNotes(mail);

        // The entity is never expanded: free text sees the IP written in the attribute, not the entity's URL.
        Assert.Equal("free-text", outcome.Format);
        Assert.Equal(["192.0.2.30"], outcome.Events.Where(e => e.Ip is not null).Select(e => e.Ip));
        Assert.Contains(notes, n => n.StartsWith("google-safe-browsing could not read the mail", StringComparison.Ordinal) && n.Contains("DTD", StringComparison.Ordinal));
    }
}
