using MimeKit;

namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Sets aside a mail that is no report (see <see cref="NonReportClassifier"/>): it reads as ignored, with the
/// reason, and no events. Two places in <see cref="ReportParser"/>'s order: what the headers declare before the
/// report formats, what the wording suggests after them and before free text.
/// </summary>
internal sealed class NonReportMailFormat(Func<MimeMessage, string?> classify) : IMailReportFormat
{
    public static readonly NonReportMailFormat Declared = new(NonReportClassifier.Declared);

    public static readonly NonReportMailFormat Apparent = new(NonReportClassifier.Apparent);

    public bool Claims(MimeMessage message) => classify(message) is not null;

    public ReportReading Read(MimeMessage message, ReportInput input) =>
        classify(message) is { } reason
            ? ReportReading.Ignored(reason)
            : ReportReading.Failed(ReportFormats.Unknown, ReportParser.UnrecognizedFormat);
}
