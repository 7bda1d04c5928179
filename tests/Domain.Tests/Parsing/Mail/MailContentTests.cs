using System.Text;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Parsing.Mail;

/// <summary>Attached messages sent encoded, and the bound on how deep they are opened.</summary>
public class MailContentTests
{
    [Theory]
    [InlineData("reading/rfc822-base64-forward.eml", "203.0.113.66")]
    [InlineData("reading/rfc822-quoted-printable-forward.eml", "203.0.113.67")]
    public void Encoded_forwarded_message_is_decoded_and_its_sending_host_found(string sample, string ip)
    {
        var outcome = MailSamples.Parse(sample);

        Assert.Equal("free-text", outcome.Format);
        var reportEvent = Assert.Single(outcome.Events);
        Assert.Equal(ip, reportEvent.Ip);
        Assert.Equal(AbuseClass.Spam, reportEvent.AbuseClass);
        Assert.Contains("Received header of the forwarded message", reportEvent.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Encoded_messages_nested_deeper_than_a_report_goes_are_not_opened()
    {
        // Twelve encoded message/rfc822 layers; the sending host is written only in the innermost.
        var mail = "From: a@spammer.example\nTo: b@victim.example\nSubject: deep\nReceived: from x ([203.0.113.99]) by mx.victim.example\nContent-Type: text/plain\n\nhi\n";
        for (var i = 0; i < 12; i++)
        {
            var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(mail), Base64FormattingOptions.InsertLineBreaks);
            mail = $"From: Fwd <fwd@reporter{i}.example>\nTo: abuse@hosting.example\nSubject: fwd\nMIME-Version: 1.0\n"
                + $"Content-Type: multipart/mixed; boundary=\"b{i}\"\n\n--b{i}\nContent-Type: text/plain\n\nsee attached\n\n"
                + $"--b{i}\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n{encoded}\n--b{i}--\n";
        }

        var outcome = ReportParsing.Text(mail, ReportParsing.Mail);

        Assert.DoesNotContain(outcome.Events, e => e.Ip == "203.0.113.99");
    }
}
