using AbuseDesk.Domain.Ownership;
namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Clean-MX's list mails ("[clean-mx-viruses-…]", "[clean-mx-phishing-…]"): a table drawn with pipes
/// whose header names the columns.
/// <code>
/// |date |id |virusname |ip |domain |Url|
/// |2015-09-14 07:49:54 CEST |81328588 |JS/iFrame.cqq |192.0.2.1 |victim.example |http://victim.example/x
/// </code>
/// (Clean-MX's single-incident mails are X-ARF and read by the X-ARF format.)
/// </summary>
internal sealed class CleanMxReport : IReporterLayout
{
    private const int MaxRows = ReporterEvents.MaxEvents;

    public string Format => "clean-mx";

    public bool Claims(MailContent mail) => Table(mail) is not null;

    public ReportReading Read(MailContent mail)
    {
        var events = new ReporterEvents();
        if (Table(mail) is { } table)
        {
            ReadTable(mail, table, events);
        }

        return events.ToReading(Format, "Clean-MX report lists no readable IP or URL");
    }

    /// <summary>The body that mentions Clean-MX and has a pipe table with "ip" and "url" or "domain" columns.</summary>
    private static string? Table(MailContent mail)
    {
        if (!mail.Subject.Contains("clean-mx", StringComparison.OrdinalIgnoreCase)
            && !mail.Texts.Any(t => t.IsOwnBody && t.Text.Contains("clean-mx", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        return mail.Texts.Where(t => t.IsOwnBody && t.IsPlain).Select(t => t.Text).FirstOrDefault(text => HeaderRow(text) is not null);
    }

    private static string[]? HeaderRow(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith('|'))
            {
                var cells = Cells(trimmed);
                return cells.Contains("ip", StringComparer.OrdinalIgnoreCase)
                    && (cells.Contains("url", StringComparer.OrdinalIgnoreCase) || cells.Contains("domain", StringComparer.OrdinalIgnoreCase))
                    ? cells
                    : null;
            }
        }

        return null;
    }

    private static string[] Cells(string row) =>
        row.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();

    private static void ReadTable(MailContent mail, string text, ReporterEvents events)
    {
        var header = HeaderRow(text)!;
        int Column(string name) => Array.FindIndex(header, h => h.Equals(name, StringComparison.OrdinalIgnoreCase));
        var ipColumn = Column("ip");
        var urlColumn = Column("url");
        var dateColumn = Column("date");
        var (abuseClass, reportType) = Kind(mail.Subject) ?? Kind(text) ?? (AbuseClass.Other, "clean-mx-portals");
        var headerSeen = false;
        var rows = 0;
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.Trim();
            if (!trimmed.StartsWith('|'))
            {
                continue;
            }

            if (!headerSeen)
            {
                headerSeen = true;
                continue;
            }

            if (++rows > MaxRows)
            {
                break;
            }

            var cells = Cells(trimmed);
            var ip = Cell(cells, ipColumn) is { } ipText && IpAddressText.TryNormalize(ipText, out var normalized) ? normalized : null;
            var url = UrlText.TryRead(Cell(cells, urlColumn), out var readUrl, out var hostIp) ? readUrl : null;
            if (ip is null && url is null)
            {
                events.Notes.Skip($"Clean-MX row without a readable IP or URL: '{EvidenceExcerpt.Flatten(trimmed, 100)}'");
                continue;
            }

            var evidence = new EvidenceExcerpt().Add("Reporter", "Clean-MX").Add("Subject", mail.Subject);
            for (var i = 0; i < header.Length && i < cells.Length; i++)
            {
                evidence.Add(header[i], cells[i]);
            }

            events.Add(new ReportEvent
            {
                Ip = ip ?? hostIp,
                Url = url,
                AbuseClass = abuseClass,
                ReportType = reportType,
                Severity = abuseClass == AbuseClass.Other ? Severity.Medium : Severity.High,
                OccurredAt = ReportedTime.Read(Cell(cells, dateColumn)),
                Evidence = evidence.Build(),
            });
        }
    }

    private static string? Cell(string[] cells, int column) =>
        column >= 0 && column < cells.Length && cells[column].Length > 0 ? cells[column] : null;

    /// <summary>Clean-MX names the list in the subject and the body: viruses, phishing, or portals (defaced sites).</summary>
    private static (AbuseClass Class, string ReportType)? Kind(string text)
    {
        if (text.Contains("phishing", StringComparison.OrdinalIgnoreCase))
        {
            return (AbuseClass.Phishing, "clean-mx-phishing");
        }

        if (text.Contains("virus", StringComparison.OrdinalIgnoreCase) || text.Contains("malware", StringComparison.OrdinalIgnoreCase))
        {
            return (AbuseClass.Malware, "clean-mx-malware");
        }

        return text.Contains("portal", StringComparison.OrdinalIgnoreCase) ? (AbuseClass.Other, "clean-mx-portals") : null;
    }
}
