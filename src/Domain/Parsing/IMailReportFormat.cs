using MimeKit;

namespace AbuseDesk.Domain.Parsing;

/// <summary>
/// One kind of report that arrives as an email (ARF, X-ARF, a Shadowserver attachment, a reporter's own
/// layout, free text). <see cref="ReportParser"/> asks each in order; the first that claims the message reads it.
/// Detection is by content, never by sender alone: anyone can write From: shadowserver.
/// </summary>
internal interface IMailReportFormat
{
    bool Claims(MimeMessage message);

    /// <summary>Reads the claimed message. The message stays alive until the returned reading is disposed.</summary>
    ReportReading Read(MimeMessage message, ReportInput input);
}
