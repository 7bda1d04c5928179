using Sylvan.Data.Csv;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// AbuseHub (the Dutch Abuse Information Exchange) incident reports: an "AbuseHubCsv" attachment whose
/// header starts "reliable_notifier,report_type,…" with one row per event (src_ip, src_port, event_date,
/// event_time, infection_type, …). The times are local to the hub; the body states the offset
/// ("event time 2015-03-02 01:45:59 +01:00"), which is applied to the rows.
/// </summary>
internal sealed class AbuseHubReport : IReporterLayout
{
    private const string HeaderStart = "reliable_notifier,";
    private const string EventTimeMarker = "(event time ";

    private static readonly string[] EvidenceColumns =
        ["reliable_notifier", "report_type", "infection_type", "event_date", "event_time", "src_ip", "src_port", "protocol", "src_hostname", "src_url", "dst_ip", "dst_port", "priority"];

    public string Format => "abusehub";

    public bool Claims(MailContent mail) => Csv(mail) is not null;

    public ReportReading Read(MailContent mail)
    {
        var events = new ReporterEvents();
        if (Csv(mail) is not { } csv)
        {
            return events.ToReading(Format, "no AbuseHubCsv attachment in the mail");
        }

        var offset = BodyOffset(mail);
        try
        {
            using var reader = CsvDataReader.Create(new StringReader(csv), new CsvDataReaderOptions { HasHeaders = true, Delimiter = ',' });
            var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                columns.TryAdd(reader.GetName(i).Trim(), i);
            }

            while (reader.Read() && events.Count < ReporterEvents.MaxEvents)
            {
                string? Value(string name) =>
                    columns.TryGetValue(name, out var i) && i < reader.RowFieldCount && reader.GetString(i) is { Length: > 0 } v ? v.Trim() : null;

                var ip = IpAddressText.TryNormalize(Value("src_ip"), out var normalized) ? normalized : null;
                var url = UrlText.TryRead(Value("src_url"), out var readUrl, out var hostIp) ? readUrl : null;
                if (ip is null && url is null)
                {
                    events.Notes.Skip($"AbuseHub row {reader.RowNumber} without a readable src_ip");
                    continue;
                }

                var reportType = Value("report_type");
                var abuseClass = AbuseKeywords.Classify(reportType) is var named and not AbuseClass.Other
                    ? named
                    : Value("infection_type") is not null ? AbuseClass.Botnet : AbuseClass.Other;
                var evidence = new EvidenceExcerpt().Add("Reporter", "AbuseHub");
                foreach (var name in EvidenceColumns)
                {
                    evidence.Add(name, Value(name));
                }

                events.Add(new ReportEvent
                {
                    Ip = ip ?? hostIp,
                    Port = PortNumber.Read(Value("src_port")),
                    Url = url,
                    AbuseClass = abuseClass,
                    ReportType = "abusehub-" + Slug.Of(reportType),
                    Severity = Severity.Medium,
                    OccurredAt = offset is null ? null : ReportedTime.ReadIso($"{Value("event_date")} {Value("event_time")} {offset}"),
                    Evidence = evidence.Build(),
                });
            }
        }
        catch (CsvFormatException ex)
        {
            events.Notes.Add($"AbuseHubCsv could not be read to the end: {EvidenceExcerpt.Flatten(ex.Message, 200)}");
        }

        return events.ToReading(Format, "AbuseHubCsv attachment has no row with a readable src_ip");
    }

    private static string? Csv(MailContent mail) =>
        mail.Texts.Where(t => !t.IsForwarded).Select(t => t.Text).FirstOrDefault(text =>
            text.StartsWith(HeaderStart, StringComparison.OrdinalIgnoreCase)
            && text.AsSpan(0, Math.Min(text.Length, 2048)).Contains("src_ip", StringComparison.OrdinalIgnoreCase));

    /// <summary>The UTC offset in "(event time 2015-03-02 01:45:59 +01:00)"; null when the body states none.</summary>
    private static string? BodyOffset(MailContent mail)
    {
        foreach (var text in mail.ReadableBodies())
        {
            var at = text.IndexOf(EventTimeMarker, StringComparison.OrdinalIgnoreCase);
            var close = at < 0 ? -1 : text.IndexOf(')', at);
            if (close < 0 || close - at > 80)
            {
                continue;
            }

            var stated = text[(at + EventTimeMarker.Length)..close].Trim();
            var space = stated.LastIndexOf(' ');
            if (space > 0 && ReportedTime.ReadIso(stated) is not null)
            {
                return stated[(space + 1)..];
            }
        }

        return null;
    }
}
