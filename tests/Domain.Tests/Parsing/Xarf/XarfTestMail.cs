using MimeKit;

namespace AbuseDesk.Domain.Tests.Parsing.Xarf;

/// <summary>Builds X-ARF mails in code, for variants too many or too large to keep as files.</summary>
internal static class XarfTestMail
{
    public const string LoginAttackReport = """
        ---
        Reported-From: reports@fail2ban.example
        Category: abuse
        Report-Type: login-attack
        Service: ssh
        Version: 0.2
        User-Agent: Example fail2ban reporter 1.4
        Date: Sun, 01 Mar 2026 10:04:05 +0100
        Source-Type: ip-address
        Source: 198.51.100.23
        Port: 22
        Report-ID: 20260301-0001@fail2ban.example
        Attachment: text/plain
        """;

    /// <summary>A human part, the report (named report.txt unless told otherwise) and optionally the evidence.</summary>
    public static MimeMessage XArf(string reportTxt, MimeEntity? evidence = null, bool declared = true, bool namedReport = true)
    {
        var report = new TextPart("plain") { Text = reportTxt };
        if (namedReport)
        {
            report.ContentType.Name = "report.txt";
        }

        var body = new Multipart("mixed") { new TextPart("plain") { Text = "Dear abuse team, please see the attached report." }, report };
        if (evidence is not null)
        {
            body.Add(evidence);
        }

        var message = Envelope("abuse report about 198.51.100.23");
        if (declared)
        {
            message.Headers.Add("X-ARF", "YES");
        }

        message.Body = body;
        return message;
    }

    public static MimeMessage Envelope(string subject)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("reports@fail2ban.example"));
        message.To.Add(MailboxAddress.Parse("abuse@hoster.example"));
        message.Subject = subject;
        message.Date = new DateTimeOffset(2026, 3, 1, 10, 10, 0, TimeSpan.Zero);
        message.MessageId = "test-1@fail2ban.example";
        return message;
    }

    public static TextPart Log(string text, string name = "logfile.log")
    {
        var part = new TextPart("plain") { Text = text };
        part.ContentType.Name = name;
        return part;
    }

    public static byte[] Bytes(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return stream.ToArray();
    }

    public static AbuseDesk.Domain.Parsing.ParseOutcome Parse(MimeMessage message) => ReportParsing.Bytes(Bytes(message), ReportParsing.Mail);
}
