using MimeKit;

namespace AbuseDesk.Domain.Parsing;

/// <summary>
/// RFC 5965 feedback reports (feedback loops, SpamExperts, ...). ARF reads only the feedback-report part; when
/// the mail says more (SpamCop's ARF names the spamvertised site in the human part, a reporter attaches its data
/// in another format) the reading is partial and the formats after it complete it.
/// </summary>
internal sealed class ArfMailFormat : IMailReportFormat
{
    public bool Claims(MimeMessage message) => ArfParser.IsArf(message);

    public ReportReading Read(MimeMessage message, ReportInput input)
    {
        var outcome = ArfParser.Parse(message);
        return outcome.Failed
            ? ReportReading.Of(outcome)
            : new ReportReading(outcome.Format, outcome.Events) { Partial = ArfParser.SaysMore(message, outcome.Events[0].Ip) };
    }
}
