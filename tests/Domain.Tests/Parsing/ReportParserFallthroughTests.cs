using AbuseDesk.Domain.Tests.Parsing.Mail;

namespace AbuseDesk.Domain.Tests.Parsing;

/// <summary>
/// A format that claims a mail and then cannot read it lets the next one try, keeping why in a note; a partial
/// reading (ARF) is completed by the structured formats after it.
/// </summary>
public class ReportParserFallthroughTests
{
    [Fact]
    public void Spamcop_arf_keeps_the_source_ip_and_adds_the_spamvertised_site_from_spamcops_own_part()
    {
        var (outcome, notes) = ReportParsing.WithNotes(MailSamples.Text("reading/arf-spamcop-spamvertised.eml"));

        Assert.Equal("arf", outcome.Format);
        Assert.Equal(["192.0.2.145", "198.51.100.180"], outcome.Events.Select(e => e.Ip));
        Assert.Equal("arf-abuse", outcome.Events[0].ReportType);
        Assert.Equal("spamcop-spamvertised", outcome.Events[1].ReportType);
        Assert.Equal("http://cheap-meds.customer.example/", outcome.Events[1].Url);
        Assert.Contains(notes, n => n.StartsWith("also read as spamcop", StringComparison.Ordinal));
    }

    [Fact]
    public void Feedback_report_whose_data_is_an_xarf_attachment_is_read_as_xarf_with_a_note()
    {
        var (outcome, notes) = ReportParsing.WithNotes(MailSamples.Text("reading/arf-with-xarf-json.eml"));

        Assert.False(outcome.Failed, outcome.Error);
        Assert.StartsWith("xarf", outcome.Format, StringComparison.Ordinal);
        Assert.Equal("203.0.113.77", Assert.Single(outcome.Events).Ip);
        Assert.Contains(notes, n => n.StartsWith("arf could not read the mail (multipart/report of type feedback-report has no message/feedback-report part)", StringComparison.Ordinal));
    }

    [Fact]
    public void Plain_arf_is_not_completed_by_free_text()
    {
        // The human part and the reported message name more hosts (the reporter's, the relays); ARF's Source-IP
        // is the statement, and free text is never a supplement.
        var outcome = ReportParsing.ArfSample("standard-abuse.eml");

        Assert.Equal("arf", outcome.Format);
        Assert.Single(outcome.Events);
    }

    [Fact]
    public void When_no_format_can_read_the_mail_the_first_reason_stands()
    {
        var outcome = ReportParsing.ArfSample("no-ip-no-url.eml");

        Assert.True(outcome.Failed);
        Assert.Equal("arf", outcome.Format);
    }
}
