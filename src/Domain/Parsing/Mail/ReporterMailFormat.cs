using MimeKit;

namespace AbuseDesk.Domain.Parsing.Mail;

// PLACEHOLDER until reporter-specific mail layouts land (issue 3); claims nothing.
internal sealed class ReporterMailFormat : IMailReportFormat
{
    public bool Claims(MimeMessage message) => false;

    public ReportReading Read(MimeMessage message, ReportInput input) => throw new NotSupportedException();
}
