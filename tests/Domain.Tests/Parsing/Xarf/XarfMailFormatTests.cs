using AbuseDesk.Domain.Tests.Parsing.Mail;

namespace AbuseDesk.Domain.Tests.Parsing.Xarf;

/// <summary>An X-ARF mail whose text names more hosts of the same attack than its report.txt.</summary>
public class XarfMailFormatTests
{
    [Fact]
    public void Hosts_the_text_names_besides_the_source_become_low_confidence_events_of_the_report_type()
    {
        var outcome = MailSamples.Parse("reading/xarf-body-names-more-hosts.eml");

        Assert.Equal("x-arf", outcome.Format);
        Assert.Equal(["198.51.100.23", "198.51.100.41", "198.51.100.57"], outcome.Events.Select(e => e.Ip));
        Assert.False(outcome.Events[0].LowConfidence);
        Assert.All(outcome.Events.Skip(1), e => Assert.True(e.LowConfidence));
        Assert.All(outcome.Events, e => Assert.Equal(outcome.Events[0].ReportType, e.ReportType));
        Assert.All(outcome.Events, e => Assert.Equal(outcome.Events[0].AbuseClass, e.AbuseClass));
    }
}
