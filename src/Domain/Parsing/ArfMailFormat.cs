using MimeKit;

namespace AbuseDesk.Domain.Parsing;

/// <summary>
/// RFC 5965 feedback reports (feedback loops, SpamExperts, ...). The reading is partial: ARF reads only the
/// feedback-report part, and a reporter may say more in its own layout beside it (SpamCop's ARF names the
/// spamvertised site in the human part) or attach its data in another format.
/// </summary>
internal sealed class ArfMailFormat : IMailReportFormat
{
    public bool Claims(MimeMessage message) => ArfParser.IsArf(message);

    public ReportReading Read(MimeMessage message, ReportInput input)
    {
        var outcome = ArfParser.Parse(message);
        return outcome.Failed ? ReportReading.Of(outcome) : new ReportReading(outcome.Format, outcome.Events) { Partial = true };
    }
}
