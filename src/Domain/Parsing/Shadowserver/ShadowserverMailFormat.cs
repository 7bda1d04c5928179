using MimeKit;

namespace AbuseDesk.Domain.Parsing.Shadowserver;

/// <summary>
/// A mail carrying Shadowserver reports as attachments (<c>2015-01-01-scan_ipmi-sample-asn.csv.zip</c>).
/// Claimed by its attachments' names, never by its sender: anyone can write From: shadowserver, and
/// forwarded reports come from anyone. Each report attachment is streamed in turn into one event sequence,
/// each with the report type its own name states.
/// </summary>
internal sealed class ShadowserverMailFormat : IMailReportFormat
{
    private readonly ShadowserverLimits _limits;

    public ShadowserverMailFormat()
        : this(ShadowserverLimits.Default)
    {
    }

    internal ShadowserverMailFormat(ShadowserverLimits limits) => _limits = limits;

    public bool Claims(MimeMessage message) => ReportAttachments(message).Any();

    public ReportReading Read(MimeMessage message, ReportInput input)
    {
        var attachments = ReportAttachments(message).ToList();
        var notes = new ParseNotes();
        var events = new ShadowserverMailEvents(attachments, notes, _limits);
        var error = events.OpenFirstReadable();
        return error is not null
            ? Fail(events, error)
            : new ReportReading(ShadowserverCsv.Format, events, notes, events);
    }

    private static ReportReading Fail(IDisposable events, string error)
    {
        events.Dispose();
        return ReportReading.Failed(ShadowserverCsv.Format, error);
    }

    private static IEnumerable<MimePart> ReportAttachments(MimeMessage message) =>
        message.BodyParts.OfType<MimePart>().Where(part => part.Content is not null && ShadowserverReportName.IsReportFileName(part.FileName));
}
