using MimeKit;

namespace AbuseDesk.Domain.Parsing.Xarf;

// PLACEHOLDER until the X-ARF parser lands (issue 3); claims nothing.
internal sealed class XarfMailFormat : IMailReportFormat
{
    public bool Claims(MimeMessage message) => false;

    public ReportReading Read(MimeMessage message, ReportInput input) => throw new NotSupportedException();
}
