using MimeKit;

namespace AbuseDesk.Domain.Parsing;

/// <summary>RFC 5965 feedback reports (feedback loops, SpamExperts, ...).</summary>
internal sealed class ArfMailFormat : IMailReportFormat
{
    public bool Claims(MimeMessage message) => ArfParser.IsArf(message);

    public ReportReading Read(MimeMessage message, ReportInput input) => ReportReading.Of(ArfParser.Parse(message));
}
