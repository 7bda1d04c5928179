using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Parsing.Mail;

public class SpamCopReportTests
{
    [Fact]
    public void Email_from_line_yields_a_spam_event_for_the_sending_ip()
    {
        var outcome = MailSamples.Parse("spamcop-email.eml");

        Assert.False(outcome.Failed, outcome.Error);
        Assert.Equal("spamcop", outcome.Format);
        var reportEvent = Assert.Single(outcome.Events);
        Assert.Equal("203.0.113.45", reportEvent.Ip);
        Assert.Null(reportEvent.Url);
        Assert.Equal(AbuseClass.Spam, reportEvent.AbuseClass);
        Assert.Equal("spamcop-spam", reportEvent.ReportType);
        Assert.Equal(new DateTimeOffset(2026, 11, 19, 8, 14, 2, TimeSpan.Zero), reportEvent.OccurredAt);
        Assert.False(reportEvent.LowConfidence);
    }

    [Fact]
    public void Evidence_names_the_reported_message_but_not_its_recipient()
    {
        var evidence = Assert.Single(MailSamples.Parse("spamcop-email.eml").Events).Evidence!;

        Assert.Contains("Subject: Exclusive watches at 90% off", evidence, StringComparison.Ordinal);
        Assert.Contains("Message-ID: <20261119081358.55AA@watches.customer.example>", evidence, StringComparison.Ordinal);
        Assert.Contains("https://www.spamcop.net/sc?id=", evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("To:", evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Spamvertised_site_yields_its_url_and_resolved_ip()
    {
        var outcome = MailSamples.Parse("spamcop-spamvertised.eml");

        var reportEvent = Assert.Single(outcome.Events);
        Assert.Equal("http://pills.customer.example/", reportEvent.Url);
        Assert.Equal("198.51.100.80", reportEvent.Ip);
        Assert.Equal("spamcop-spamvertised", reportEvent.ReportType);
        Assert.Equal(new DateTimeOffset(2026, 11, 19, 8, 20, 11, TimeSpan.Zero), reportEvent.OccurredAt);
    }

    [Fact]
    public void Spamcop_banner_without_a_source_line_is_not_claimed_as_spamcop()
    {
        var mail = MailSamples.PlainMail("[SpamCop] hello", "[ SpamCop V5.4.0 ]\nNothing to report today.");

        var outcome = ReportParsing.Text(mail, ReportParsing.Mail);

        Assert.NotEqual("spamcop", outcome.Format);
    }
}
