using MimeKit;

namespace AbuseDesk.Domain.Parsing.Shadowserver;

// PLACEHOLDER until the Shadowserver parser lands (issue 3); claims nothing.
internal sealed class ShadowserverMailFormat : IMailReportFormat
{
    public bool Claims(MimeMessage message) => false;

    public ReportReading Read(MimeMessage message, ReportInput input) => throw new NotSupportedException();
}
