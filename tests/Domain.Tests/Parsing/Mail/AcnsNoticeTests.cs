using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Parsing.Mail;

public class AcnsNoticeTests
{
    [Fact]
    public void Notice_quoted_in_the_body_and_attached_yields_one_copyright_event()
    {
        var outcome = MailSamples.Parse("acns-notice.eml");

        Assert.False(outcome.Failed, outcome.Error);
        Assert.Equal("acns", outcome.Format);
        var reportEvent = Assert.Single(outcome.Events);
        Assert.Equal("203.0.113.77", reportEvent.Ip);
        Assert.Equal(51413, reportEvent.Port);
        Assert.Equal(AbuseClass.Copyright, reportEvent.AbuseClass);
        Assert.Equal("ip-echelon-copyright", reportEvent.ReportType);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 5, 45, 49, TimeSpan.Zero), reportEvent.OccurredAt);
        Assert.Contains("Title: The Example Movie", reportEvent.Evidence, StringComparison.Ordinal);
        Assert.Contains("Case ID: 900100200", reportEvent.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Notice_with_a_DTD_is_refused_and_no_entity_is_expanded()
    {
        var outcome = MailSamples.Parse("acns-xxe.eml");

        Assert.True(outcome.Failed);
        Assert.Equal("acns", outcome.Format);
        Assert.Contains("could not be read safely", outcome.Error, StringComparison.Ordinal);
        Assert.Contains("DTD", outcome.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("XXE-ENTITY-WAS-EXPANDED", outcome.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(outcome.Events);
    }

    [Fact]
    public void Notice_of_another_agent_gets_the_generic_report_type()
    {
        var xml = MailSamples.Text("acns-notice.eml")
            .Replace("IP-Echelon - Compliance", "Rights Desk", StringComparison.Ordinal)
            .Replace("copyright@ip-echelon.example", "desk@rights.example", StringComparison.Ordinal);

        var outcome = ReportParsing.Text(xml, ReportParsing.Mail);

        Assert.Equal("acns-copyright", Assert.Single(outcome.Events).ReportType);
    }

    [Fact]
    public void Notice_without_a_valid_source_ip_keeps_the_reason_and_lets_free_text_read_the_prose()
    {
        var xml = MailSamples.Text("acns-notice.eml").Replace("<IP_Address>203.0.113.77</IP_Address>", "<IP_Address>203.0.113.777</IP_Address>", StringComparison.Ordinal);

        var (outcome, notes) = ReportParsing.WithNotes(xml);

        Assert.Equal("free-text", outcome.Format);
        Assert.Contains("203.0.113.77", outcome.Events.Select(e => e.Ip));
        Assert.Contains(notes, n => n.Contains("acns could not read the mail (ACNS notice names no readable Source IP_Address)", StringComparison.Ordinal));
    }

    [Fact]
    public void Notice_without_a_valid_source_ip_and_no_other_address_fails_with_the_reason()
    {
        var body = "<Infringement><Source><IP_Address>203.0.113.777</IP_Address></Source></Infringement>";

        var outcome = ReportParsing.Text(MailSamples.PlainMail("Notice of Claimed Infringement", body), ReportParsing.Mail);

        Assert.True(outcome.Failed);
        Assert.Equal("acns", outcome.Format);
        Assert.Equal("ACNS notice names no readable Source IP_Address", outcome.Error);
    }

    [Fact]
    public void Notice_whose_xml_never_ends_is_not_read_as_acns_but_its_text_still_names_the_ip()
    {
        // Two megabytes that never close the XML, in lines a mail may have (one 2 MB line is refused before parsing).
        var body = "<Infringement xmlns=\"http://www.acns.net/ACNS\"><Source><IP_Address>203.0.113.79</IP_Address>\n" + string.Concat(Enumerable.Repeat(new string('x', 999) + "\n", 2_000));
        var mail = MailSamples.PlainMail("Notice of Claimed Infringement", body);

        var (outcome, notes) = ReportParsing.WithNotes(mail);

        Assert.Equal("free-text", outcome.Format);
        Assert.Equal(["203.0.113.79"], outcome.Events.Where(e => e.Ip is not null).Select(e => e.Ip));
        Assert.Contains(notes, n => n.StartsWith("acns could not read the mail", StringComparison.Ordinal));
    }

    [Fact]
    public void Malformed_acns_xml_lets_the_next_reader_find_the_ip_the_prose_names()
    {
        var (outcome, notes) = ReportParsing.WithNotes(MailSamples.Text("reading/acns-malformed-xml.eml"));

        Assert.Equal("free-text", outcome.Format);
        Assert.Equal(["203.0.113.131"], outcome.Events.Where(e => e.Ip is not null).Select(e => e.Ip));
        Assert.Contains(notes, n => n.StartsWith("acns could not read the mail (ACNS notice XML could not be read safely", StringComparison.Ordinal));
    }
}
