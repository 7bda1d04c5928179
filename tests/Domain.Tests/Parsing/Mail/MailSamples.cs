using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Parsing.Mail;

/// <summary>The mail samples written for these tests (TestData/mail), parsed the way the app parses a mail.</summary>
internal static class MailSamples
{
    public static ParseOutcome Parse(string fileName) => ReportParsing.File(TestPaths.TestData("mail", fileName), ReportParsing.Mail);

    public static string Text(string fileName) => File.ReadAllText(TestPaths.TestData("mail", fileName));

    /// <summary>A single-part plain-text mail around <paramref name="body"/>.</summary>
    public static string PlainMail(string subject, string body, string from = "Reporter <reports@reporter.example>") =>
        $"""
        From: {from}
        To: abuse@hosting.example
        Subject: {subject}
        Date: Fri, 20 Nov 2026 09:00:00 +0000
        Message-ID: <sample@reporter.example>
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8

        {body}
        """.Replace("\r\n", "\n", StringComparison.Ordinal);
}
