using MimeKit;

namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Mails in a known reporter's own layout (SpamCop, ACNS copyright notices, Google Safe Browsing, Project
/// Honey Pot, Clean-MX, Webiron, cyscon, AbuseHub). Each layout recognises its mails by their content;
/// the first that does reads the mail.
/// </summary>
internal sealed class ReporterMailFormat : IMailReportFormat
{
    // The copyright and Safe Browsing layouts look for one XML element, the others for fixed markers;
    // none of them overlap, so the order only matters for hostile mails that imitate several at once.
    private static readonly IReporterLayout[] Layouts =
    [
        new AcnsNotice(),
        new SafeBrowsingReport(),
        new SpamCopReport(),
        new ProjectHoneypotReport(),
        new CleanMxReport(),
        new WebironReport(),
        new CysconReport(),
        new AbuseHubReport(),
    ];

    public bool Claims(MimeMessage message) => LayoutOf(MailContent.Of(message)) is not null;

    /// <summary>
    /// The first layout that claims the mail and reads events from it; a layout that claims and finds nothing
    /// lets the next try, and when none can, the first one's reason stands (the mail reader then asks free text).
    /// </summary>
    public ReportReading Read(MimeMessage message, ReportInput input)
    {
        var mail = MailContent.Of(message);
        ReportReading? failed = null;
        foreach (var layout in Layouts.Where(layout => layout.Claims(mail)))
        {
            var reading = layout.Read(mail);
            if (reading.Error is null)
            {
                return reading;
            }

            failed ??= reading;
        }

        return failed ?? ReportReading.Failed(ReportFormats.Unknown, ReportParser.UnrecognizedFormat);
    }

    private static IReporterLayout? LayoutOf(MailContent mail) => Array.Find(Layouts, layout => layout.Claims(mail));
}
