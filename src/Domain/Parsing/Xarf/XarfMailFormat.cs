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
            { Yaml: { } yaml } => XarfYamlReader.Read(yaml, report.Evidence),
            _ => ReportReading.Failed(XarfFormats.Mail, "x-arf: the mail has no report.txt and no XARF JSON part"),
        };
    }
}
