using AbuseDesk.Domain.Parsing.Mail;

namespace AbuseDesk.Domain.Tests.Parsing.Mail;

/// <summary>Addresses in a complainant's signature or footer name the complainant, never the abuser: they do not route.</summary>
public class SignatureBlocksTests
{
    [Fact]
    public void A_mail_whose_only_addresses_are_in_its_signature_stays_unrecognized()
    {
        var outcome = MailSamples.Parse("freetext-signature-only.eml");

        Assert.True(outcome.Failed);
        Assert.Equal("unrecognized format", outcome.Error);
        Assert.Empty(outcome.Events);
    }

    [Fact]
    public void A_closing_contact_block_and_disclaimer_are_left_out_and_the_complaint_kept()
    {
        var outcome = MailSamples.Parse("freetext-signature-footer.eml");

        Assert.Equal("free-text", outcome.Format);
        Assert.Equal(["192.0.2.123"], outcome.Events.Select(e => e.Url ?? e.Ip));
        Assert.Equal(AbuseDesk.Domain.Parsing.AbuseClass.Phishing, outcome.Events[0].AbuseClass);
    }

    [Fact]
    public void A_message_forwarded_below_the_signature_is_still_read()
    {
        var outcome = MailSamples.Parse("freetext-signature-then-forward.eml");

        Assert.Equal(["http://claim.customer-host.example/prize?id=991"], outcome.Events.Select(e => e.Url ?? e.Ip));
    }

    [Fact]
    public void A_mobile_client_s_footer_link_is_left_out()
    {
        var outcome = MailSamples.Parse("freetext-mobile-footer.eml");

        Assert.Equal(["192.0.2.140"], outcome.Events.Select(e => e.Url ?? e.Ip));
    }

    [Theory]
    [InlineData("Thanks,\nJane\n\nPS: 192.0.2.150 is at it again today")]
    [InlineData("Regards\n\nNov 20 10:00:01 gw sshd[1]: Failed password for root from 192.0.2.150 port 5022 ssh2")]
    [InlineData("Best regards,\nJane\nScanner seen: 192.0.2.150")]
    [InlineData("Please block them. Thanks!\n\nThanks!\n\n192.0.2.150\n192.0.2.151")]
    public void What_follows_a_closing_and_speaks_of_abuse_is_the_complaint(string body)
    {
        var outcome = AbuseDesk.Domain.Tests.Parsing.ReportParsing.Text(MailSamples.PlainMail("complaint", "Hello,\n\n" + body), AbuseDesk.Domain.Tests.Parsing.ReportParsing.Mail);

        Assert.Contains(outcome.Events, e => e.Ip == "192.0.2.150");
    }

    [Theory]
    [InlineData("text\n-- \nsig 192.0.2.1", "text\n\n")]
    [InlineData("text\n--\nsig\n\n> quoted 192.0.2.2", "text\n\n\n\n> quoted 192.0.2.2")]
    [InlineData("text\nSent from my iPhone", "text\n")]
    [InlineData("text\n\nKind regards,\nJane\nhttps://jane.example", "text\n\nKind regards,\n\n")]
    [InlineData("no signature here\nat all", "no signature here\nat all")]
    [InlineData("text\n-- \nsig\n________________________________\nFrom: x\nSent: y", "text\n\n\n________________________________\nFrom: x\nSent: y")]
    public void Signature_and_footer_lines_are_blanked_and_quoted_text_after_them_kept(string text, string expected)
    {
        Assert.Equal(expected, SignatureBlocks.Blank(text));
    }
}
