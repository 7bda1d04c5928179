namespace AbuseDesk.Domain.Tests.Parsing;

/// <summary>A minimal ARF mail around the given feedback-report fields, for tests that vary one field.</summary>
internal static class ArfSampleMessage
{
    public static string With(string feedbackFields, string? reportedHeaders = null) => $"""
        From: <fbl@reporter.example>
        To: <abuse@hosting.example>
        Subject: FW: sample
        Date: Fri, 20 Nov 2026 10:00:00 +0000
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=feedback-report; boundary="s-b"

        --s-b
        Content-Type: text/plain

        Sample report.

        --s-b
        Content-Type: message/feedback-report

        {feedbackFields.Trim()}

        --s-b
        Content-Type: message/rfc822

        {(reportedHeaders ?? "From: <sender@customer.example>\nSubject: Sample\nDate: Fri, 20 Nov 2026 09:00:00 +0000").Trim()}

        Body
        --s-b--

        """.ReplaceLineEndings("\r\n");
}
