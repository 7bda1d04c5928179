using System.Runtime.CompilerServices;
using MimeKit;

namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Reports whose data is an attachment in no reporter's own layout: a CSV export (fail2ban, a WAF, a hoster's
/// NOC; any column name for the address: "Source Ip", "IP Address", IntelMQ's <c>source.ip</c>), sent as
/// text/csv, as application/octet-stream or zipped, or IntelMQ events as JSON (an array or one per line).
/// Asked after the reporter layouts (AbuseHub's CSV is its own) and before free text, which would read the
/// rows as prose. Only the reporter's own attachments are read, never those of a forwarded mail (evidence,
/// written by anyone); sizes, parts and rows are bounded.
/// </summary>
internal sealed class AttachedDataMailFormat : IMailReportFormat
{
    public const string Format = "attached-data";

    // An export mailed by a person or a small reporter's script: a few thousand rows at most. A larger
    // attachment is read to this bound, with a note.
    internal const int MaxTableBytes = 4 * 1024 * 1024;

    private const int MaxDepth = 6;
    private const int MaxPartsExamined = 64;

    // Claims has to read the tables; Read takes them from here (the message owns them, and they die with it).
    private readonly ConditionalWeakTable<MimeMessage, List<DataTable>> _found = [];

    public bool Claims(MimeMessage message)
    {
        var tables = Tables(message);
        if (tables.Count == 0)
        {
            return false;
        }

        _found.AddOrUpdate(message, tables);
        return true;
    }

    public ReportReading Read(MimeMessage message, ReportInput input)
    {
        if (_found.TryGetValue(message, out var tables))
        {
            _found.Remove(message);
        }
        else
        {
            tables = Tables(message);
        }

        var mail = MailContent.Of(message);
        var mailClass = AbuseKeywords.Classify(mail.Subject + "\n" + string.Join("\n", mail.ReadableBodies().Take(2)));
        var events = new ReporterEvents();
        foreach (var table in tables)
        {
            foreach (var note in table.Notes)
            {
                events.Notes.Add(note);
            }

            foreach (var row in table.Rows)
            {
                if (DataRowEvent.Of(row, table.Name, mailClass) is { } reportEvent)
                {
                    events.Add(reportEvent);
                }
                else
                {
                    events.Notes.Skip($"attachment '{table.Name}': a row names no readable IP or URL");
                }
            }
        }

        return events.ToReading(Format, "the attached data names no readable IP or URL");
    }

    /// <summary>The tables of the mail's own data attachments that have an address column.</summary>
    private static List<DataTable> Tables(MimeMessage message)
    {
        var tables = new List<DataTable>();
        if (message.Body is null)
        {
            return tables;
        }

        var examined = 0;
        var pending = new Queue<(MimeEntity Entity, int Depth)>();
        pending.Enqueue((message.Body, 0));
        while (pending.TryDequeue(out var item) && examined++ < MaxPartsExamined)
        {
            switch (item.Entity)
            {
                case Multipart multipart when item.Depth < MaxDepth:
                    foreach (var child in multipart)
                    {
                        pending.Enqueue((child, item.Depth + 1));
                    }

                    break;
                case MimePart { Content: not null } part when DataAttachment.Read(part) is { } table:
                    tables.Add(table);
                    break;
            }
        }

        return tables;
    }
}
