using System.Runtime.CompilerServices;
using MimeKit;

namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>
/// X-ARF 0.1/0.2 mails (blocklist.de, Netcraft, Clean-MX: a human part, a YAML report.txt, the evidence)
/// and XARF v3/v4 JSON sent as a mail part. Claimed by content: a report part must be there.
/// </summary>
internal sealed class XarfMailFormat : IMailReportFormat
{
    // Claims has to find (and for JSON, read) the report; Read takes it from here instead of doing it again.
    // Keyed weakly by message, so a claimed message that is never read does not stay alive.
    private readonly ConditionalWeakTable<MimeMessage, XarfMailReport> _found = [];

    public bool Claims(MimeMessage message)
    {
        var report = XarfMailParts.Find(message);
        if (report is null)
        {
            return false;
        }

        _found.AddOrUpdate(message, report);
        return true;
    }

    public ReportReading Read(MimeMessage message, ReportInput input)
    {
        if (_found.TryGetValue(message, out var report))
        {
            _found.Remove(message);
        }
        else
        {
            report = XarfMailParts.Find(message);
        }

        return report switch
        {
            { Json: { } outcome } => ReportReading.Of(outcome),
            { Yaml: { } yaml } => WithHostsTheTextNames(XarfYamlReader.Read(yaml, report.Evidence), message),
            _ => ReportReading.Failed(XarfFormats.Mail, "x-arf: the mail has no report.txt and no XARF JSON part"),
        };
    }

    /// <summary>
    /// An X-ARF 0.1/0.2 report.txt states one Source; reporters that send one mail per campaign name the other
    /// hosts of the same attack in the human part. Those become low-confidence events of the report's type,
    /// for a person to confirm: only bare IPs (a link in the prose is the reporter's or a reference, not a host
    /// of the attack), and only ones the report did not already state.
    /// </summary>
    private static ReportReading WithHostsTheTextNames(ReportReading reading, MimeMessage message)
    {
        if (reading.Error is not null)
        {
            return reading;
        }

        var events = reading.Events.ToList();
        if (events.Count == 0)
        {
            return reading;
        }

        var first = events[0];
        var stated = events.Where(e => e.Ip is not null).Select(e => e.Ip!).ToHashSet(StringComparer.Ordinal);
        var added = 0;
        foreach (var address in Mail.ComplaintReader.OwnTextOf(message))
        {
            if (address.Ip is null || address.Url is not null || !stated.Add(address.Ip))
            {
                continue;
            }

            added++;
            events.Add(first with
            {
                Ip = address.Ip,
                Port = address.Port,
                Url = null,
                LowConfidence = true,
                Evidence = new EvidenceExcerpt()
                    .Add("Report", "named in the text of an X-ARF report whose report.txt states another Source")
                    .Add("Context", Mail.MailboxRedaction.Redact(EvidenceExcerpt.Flatten(address.Context, 600)))
                    .Build(),
            });
        }

        if (added > 0)
        {
            reading.Notes.Add($"{XarfFormats.Mail}: {added} more host(s) named in the report's text, read as low-confidence events");
        }

        return new ReportReading(reading.Format, events, reading.Notes);
    }
}
