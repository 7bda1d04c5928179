using System.Xml.Linq;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Google Safe Browsing Alerts for Network Administrators: a notification_message XML in the body with one
/// list per kind of harm and a url_info per URL found on the network, usually with the IP it resolved to:
/// <c>&lt;list type="0"&gt;&lt;url_info url="http://example.com/" ip="192.0.2.1"/&gt;</c>.
/// </summary>
internal sealed class SafeBrowsingReport : IReporterLayout
{
    private const string Root = "notification_message";

    public string Format => "google-safe-browsing";

    public bool Claims(MailContent mail) =>
        mail.Texts.Any(t => !t.IsForwarded && t.Text.Contains("<" + Root, StringComparison.Ordinal) && t.Text.Contains("<url_info", StringComparison.Ordinal));

    public ReportReading Read(MailContent mail)
    {
        var events = new ReporterEvents();
        string? rejected = null;
        foreach (var segment in mail.Texts.Where(t => !t.IsForwarded).SelectMany(t => SafeXml.Segments(t.Text, Root)))
        {
            var document = SafeXml.TryLoad(segment, out var error);
            if (document?.Root is not { } root || root.Name.LocalName != Root)
            {
                var why = error ?? "not a notification_message document";
                rejected ??= why;
                events.Notes.Add($"Safe Browsing XML skipped: {why}");
                continue;
            }

            Read(root, events);
        }

        return events.ToReading(Format, rejected is null
            ? "Safe Browsing report lists no URL with a readable address"
            : $"Safe Browsing report XML could not be read safely: {rejected}");
    }

    private static void Read(XElement root, ReporterEvents events)
    {
        var reportDate = ReportedTime.ReadIso(root.AttributeText("date"));
        var asn = root.AttributeText("asn");
        foreach (var list in root.Children("list"))
        {
            var listType = list.AttributeText("type");
            var (abuseClass, reportType, severity, meaning) = Kind(listType);
            foreach (var info in list.Children("url_info"))
            {
                var urlText = info.AttributeText("url");
                var hasUrl = UrlText.TryRead(urlText, out var url, out var hostIp);
                var ip = IpAddressText.TryNormalize(info.AttributeText("ip"), out var listed) ? listed : hostIp;
                if (!hasUrl && ip is null)
                {
                    events.Notes.Skip($"Safe Browsing url_info without a readable URL or IP: '{EvidenceExcerpt.Flatten(urlText, 100)}'");
                    continue;
                }

                events.Add(new ReportEvent
                {
                    Ip = ip,
                    Url = hasUrl ? url : null,
                    AbuseClass = abuseClass,
                    ReportType = reportType,
                    Severity = severity,
                    OccurredAt = reportDate,
                    Evidence = new EvidenceExcerpt()
                        .Add("Reporter", "Google Safe Browsing")
                        .Add("List", $"{meaning} (type {listType})")
                        .Add("URL", urlText)
                        .Add("IP", info.AttributeText("ip"))
                        .Add("ASN", asn)
                        .Add("Report date", root.AttributeText("date"))
                        .Build(),
                });
            }
        }
    }

    /// <summary>
    /// Google's list types: 0 pages that compromise visitors (drive-by downloads, exploits), 1 social
    /// engineering (phishing), 2 domains that distribute malware. Later types (unwanted software) are
    /// treated as malware, the closest class, under their own report type.
    /// </summary>
    private static (AbuseClass Class, string ReportType, Severity Severity, string Meaning) Kind(string? listType) => listType switch
    {
        "0" => (AbuseClass.Malware, "google-safe-browsing-malware", Severity.High, "compromised site harming visitors"),
        "1" => (AbuseClass.Phishing, "google-safe-browsing-phishing", Severity.High, "social engineering / phishing"),
        "2" => (AbuseClass.Malware, "google-safe-browsing-malware-distribution", Severity.High, "malware distribution"),
        _ => (AbuseClass.Malware, "google-safe-browsing-other", Severity.Medium, "other harmful content"),
    };
}
