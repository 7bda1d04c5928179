using AbuseDesk.Domain.Ownership;
namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// cyscon C-SIRT's alert: the findings between "# begin logs" and "# end logs", one block of fields per
/// finding ("IP:", "URL:", "Tested on:", "Result:" with a signature such as CYSC.MALWARE.URL.GEN).
/// </summary>
internal sealed class CysconReport : IReporterLayout
{
    private const string Begin = "# begin logs";
    private const string End = "# end logs";

    public string Format => "cyscon";

    public bool Claims(MailContent mail) => Logs(mail) is not null;

    public ReportReading Read(MailContent mail)
    {
        var events = new ReporterEvents();
        if (Logs(mail) is not { } logs)
        {
            return events.ToReading(Format, "no cyscon log block in the mail");
        }

        var block = new List<string>();
        foreach (var line in logs.Split('\n').Append(string.Empty))
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                if (block.Count < 50)
                {
                    block.Add(line.Trim());
                }

                continue;
            }

            if (block.Count > 0)
            {
                ReadFinding(FieldLines.Read(block), mail, events);
                block.Clear();
            }
        }

        return events.ToReading(Format, "cyscon report names no readable IP or URL");
    }

    /// <summary>The text between the log markers in the reporter's own body.</summary>
    private static string? Logs(MailContent mail)
    {
        foreach (var text in mail.ReadableBodies())
        {
            var begin = text.IndexOf(Begin, StringComparison.OrdinalIgnoreCase);
            if (begin < 0)
            {
                continue;
            }

            var start = begin + Begin.Length;
            var end = text.IndexOf(End, start, StringComparison.OrdinalIgnoreCase);
            if (end > start)
            {
                return text[start..end];
            }
        }

        return null;
    }

    private static void ReadFinding(Dictionary<string, string> fields, MailContent mail, ReporterEvents events)
    {
        var ip = IpAddressText.TryNormalize(fields.GetValueOrDefault("IP"), out var normalized) ? normalized : null;
        var url = UrlText.TryRead(fields.GetValueOrDefault("URL"), out var readUrl, out var hostIp) ? readUrl : null;
        if (ip is null && url is null)
        {
            if (fields.Count > 0)
            {
                events.Notes.Skip("cyscon finding without a readable IP or URL");
            }

            return;
        }

        var result = fields.GetValueOrDefault("Result");
        var abuseClass = AbuseKeywords.Classify(result?.Replace('.', ' ')) is var fromResult and not AbuseClass.Other
            ? fromResult
            : AbuseKeywords.Classify(mail.Subject);
        events.Add(new ReportEvent
        {
            Ip = ip ?? hostIp,
            Url = url,
            AbuseClass = abuseClass,
            ReportType = "cyscon-" + abuseClass.ToWireName(),
            Severity = abuseClass is AbuseClass.Malware or AbuseClass.Phishing ? Severity.High : Severity.Medium,
            OccurredAt = ReportedTime.Read(fields.GetValueOrDefault("Tested on")),
            Evidence = new EvidenceExcerpt()
                .Add("Reporter", "cyscon C-SIRT")
                .Add("Subject", mail.Subject)
                .Add("IP", fields.GetValueOrDefault("IP"))
                .Add("URL", fields.GetValueOrDefault("URL"))
                .Add("Tested on", fields.GetValueOrDefault("Tested on"))
                .Add("Result", result)
                .Build(),
        });
    }
}
