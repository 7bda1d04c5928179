using MimeKit;

namespace AbuseDesk.Domain.Parsing.Mail;

// PLACEHOLDER until free-text complaint extraction lands (issue 3); claims nothing.
internal sealed class FreeTextMailFormat : IMailReportFormat
{
    public bool Claims(MimeMessage message) => false;

    public ReportReading Read(MimeMessage message, ReportInput input) => throw new NotSupportedException();
}
