using MimeKit;

namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// The last resort: a complaint written by a person. Every public IP and URL the mail names becomes a
/// low-confidence event of the class the person's words suggest, for a human to confirm. A mail that
/// names no public IP or URL is not claimed, so it stays an unrecognized report.
/// </summary>
internal sealed class FreeTextMailFormat : IMailReportFormat
{
    public const string Format = "free-text";

    public bool Claims(MimeMessage message) => ComplaintReader.Of(message).Addresses.Count > 0;

    public ReportReading Read(MimeMessage message, ReportInput input)
    {
        var mail = MailContent.Of(message);
        var complaint = ComplaintReader.Of(message);
        if (complaint.Addresses.Count == 0)
        {
            return ReportReading.Failed(ReportFormats.Unknown, ReportParser.UnrecognizedFormat);
        }

        var notes = new ParseNotes();
        notes.Add("free text: addresses and abuse class were guessed from a person's mail; confirm before acting");
        if (complaint.Capped)
        {
            notes.Add($"free text: the mail names more addresses than the {ComplaintReader.MaxAddresses} kept");
        }

        var subject = MailboxRedaction.Redact(mail.Subject);
        var events = complaint.Addresses.Select(address => new ReportEvent
        {
            Ip = address.Ip,
            Port = address.Port,
            Url = address.Url,
            AbuseClass = complaint.AbuseClass,
            ReportType = Format,
            Severity = SeverityOf(complaint.AbuseClass),

            // The complaint's date: the abuse happened before the person wrote, and a person rarely says when.
            OccurredAt = mail.Date,
            LowConfidence = true,
            Evidence = new EvidenceExcerpt()
                .Add("Complaint", "free text from a person; address and class read automatically")
                .Add("Subject", subject)
                .Add("Found in", address.FoundIn)
                .Add("Context", MailboxRedaction.Redact(EvidenceExcerpt.Flatten(address.Context, 600)))
                .Build(),
        }).ToList();

        return new ReportReading(Format, events, notes);
    }

    private static Severity SeverityOf(AbuseClass abuseClass) => abuseClass switch
    {
        AbuseClass.Phishing or AbuseClass.Malware or AbuseClass.Botnet => Severity.High,
        AbuseClass.Other => Severity.Low,
        _ => Severity.Medium,
    };
}
