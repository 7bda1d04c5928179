using AbuseDesk.Domain.Ownership;
namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Webiron's batched abuse report: per offending host a line "Offending IP: 192.0.2.1" (newer mails:
/// "Offending/Source IP:"), then one block of "- Name: value" lines per blocked request, each starting
/// with "- Issue:". The targeted URL in a block is the victim's, so it goes into the evidence, not the event.
/// </summary>
internal sealed class WebironReport : IReporterLayout
{
    private static readonly string[] OffendingMarkers = ["Offending IP:", "Offending/Source IP:"];

    private static readonly string[] EvidenceFields =
        ["Issue", "Block Type", "Time", "Port", "Service", "Report ID", "Targeted Range", "Targeted URL", "User-Agent", "Bot Fingerprint"];

    public string Format => "webiron";

    public bool Claims(MailContent mail) => Body(mail) is not null;

    public ReportReading Read(MailContent mail)
    {
        var events = new ReporterEvents();
        if (Body(mail) is not { } body)
        {
            return events.ToReading(Format, "no Webiron report in the mail");
        }

        string? ip = null;
        Dictionary<string, string>? incident = null;
        var incidentsOfIp = 0;
        foreach (var rawLine in body.Split('\n'))
        {
            var line = rawLine.Trim();
            if (OffendingIp(line) is { } next)
            {
                Flush(ip, incident, events, ref incidentsOfIp);
                FlushBareIp(ip, incidentsOfIp, events);
                ip = next;
                incident = null;
                incidentsOfIp = 0;
                continue;
            }

            if (ip is null || !line.StartsWith('-') || !FieldLines.TrySplit(line.TrimStart('-', ' '), out var name, out var value))
            {
                continue;
            }

            if (name.Equals("Issue", StringComparison.OrdinalIgnoreCase))
            {
                Flush(ip, incident, events, ref incidentsOfIp);
                incident = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            }

            if (incident is not null && incident.Count < 32)
            {
                incident.TryAdd(name, value);
            }
        }

        Flush(ip, incident, events, ref incidentsOfIp);
        FlushBareIp(ip, incidentsOfIp, events);
        return events.ToReading(Format, "Webiron report names no offending IP");
    }

    /// <summary>The plain body (or the HTML one as text) with an "Offending IP:" line and "- Issue:" blocks.</summary>
    private static string? Body(MailContent mail) =>
        mail.ReadableBodies().FirstOrDefault(text =>
            OffendingMarkers.Any(m => text.Contains(m, StringComparison.OrdinalIgnoreCase))
            && text.Contains("- Issue:", StringComparison.OrdinalIgnoreCase));

    private static string? OffendingIp(string line)
    {
        foreach (var marker in OffendingMarkers)
        {
            if (line.StartsWith(marker, StringComparison.OrdinalIgnoreCase)
                && IpAddressText.TryNormalize(line[marker.Length..].Trim(), out var ip))
            {
                return ip;
            }
        }

        return null;
    }

    private static void Flush(string? ip, Dictionary<string, string>? incident, ReporterEvents events, ref int incidentsOfIp)
    {
        if (ip is null || incident is null)
        {
            return;
        }

        incidentsOfIp++;
        var issue = incident.GetValueOrDefault("Issue");
        var (abuseClass, reportType) = Kind(issue);
        var evidence = new EvidenceExcerpt().Add("Reporter", "Webiron").Add("Offending IP", ip);
        foreach (var name in EvidenceFields)
        {
            evidence.Add(name, incident.GetValueOrDefault(name));
        }

        events.Add(new ReportEvent
        {
            Ip = ip,
            Port = PortNumber.Read(incident.GetValueOrDefault("Port")),
            AbuseClass = abuseClass,
            ReportType = reportType,
            Severity = Severity.Medium,
            OccurredAt = ReportedTime.Read(incident.GetValueOrDefault("Time")),
            Evidence = evidence.Build(),
        });
    }

    /// <summary>An offending IP listed without any incident block still is a report about that IP.</summary>
    private static void FlushBareIp(string? ip, int incidentsOfIp, ReporterEvents events)
    {
        if (ip is not null && incidentsOfIp == 0)
        {
            events.Add(new ReportEvent
            {
                Ip = ip,
                AbuseClass = AbuseClass.Other,
                ReportType = "webiron-web-attack",
                Severity = Severity.Low,
                Evidence = new EvidenceExcerpt().Add("Reporter", "Webiron").Add("Offending IP", ip).Build(),
            });
        }
    }

    /// <summary>Webiron's issue text says what the blocked client did: a login attack, known bot software, or another web attack.</summary>
    private static (AbuseClass Class, string ReportType) Kind(string? issue)
    {
        var text = issue ?? string.Empty;
        if (text.Contains("brute", StringComparison.OrdinalIgnoreCase) || text.Contains("login", StringComparison.OrdinalIgnoreCase))
        {
            return (AbuseClass.Bruteforce, "webiron-login-attack");
        }

        if (text.Contains("bot", StringComparison.OrdinalIgnoreCase))
        {
            return (AbuseClass.Botnet, "webiron-botnet");
        }

        return AbuseKeywords.Classify(text) is var other and not AbuseClass.Other
            ? (other, "webiron-" + other.ToWireName())
            : (AbuseClass.Other, "webiron-web-attack");
    }
}
