using AbuseDesk.Domain.Ownership;
namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// One row of attached data as an event. Columns are found by name, compared without case, spaces, dots,
/// dashes and underscores ("Source Ip", "source_ip" and IntelMQ's "source.ip" are one name). Only names that
/// say the reported host are taken: a destination or victim column never is.
/// </summary>
internal static class DataRowEvent
{
    private const int MaxEvidenceFields = 12;

    // In order of preference: the source named as such before a bare "ip".
    private static readonly string[] IpNames =
    [
        "sourceip", "srcip", "sourceipaddress", "sourceaddress", "srcaddr", "srcaddress", "ip", "ipaddress", "ipaddr",
        "attackerip", "attackip", "offendingip", "offenderip", "clientip", "remoteip", "remoteaddr", "remoteaddress",
        "infectedip", "botip", "hostip", "reportedip", "abusiveip",
    ];

    private static readonly string[] PortNames = ["sourceport", "srcport", "port", "clientport", "remoteport"];

    private static readonly string[] UrlNames = ["sourceurl", "url", "uri", "phishingurl", "malwareurl", "reportedurl"];

    private static readonly string[] TimeNames =
    [
        "timesource", "timestamp", "time", "datetime", "date", "eventtime", "firstseen", "lastseen", "timeutc", "dateutc", "utc",
        "detected", "seen", "observed",
    ];

    private static readonly string[] TypeNames = ["classificationtype", "classification", "type", "category", "abusetype", "threat"];

    // IntelMQ's classification.type values (harmonization "classification.type"), old and new names.
    private static readonly Dictionary<string, AbuseClass> IntelMqTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["spam"] = AbuseClass.Spam,
        ["phishing"] = AbuseClass.Phishing,
        ["malware-distribution"] = AbuseClass.Malware,
        ["malware"] = AbuseClass.Malware,
        ["malware-configuration"] = AbuseClass.Malware,
        ["infected-system"] = AbuseClass.Botnet,
        ["infected system"] = AbuseClass.Botnet,
        ["botnet drone"] = AbuseClass.Botnet,
        ["c2-server"] = AbuseClass.Botnet,
        ["c&c"] = AbuseClass.Botnet,
        ["brute-force"] = AbuseClass.Bruteforce,
        ["scanner"] = AbuseClass.Scanning,
        ["ddos"] = AbuseClass.Ddos,
        ["ddos-amplifier"] = AbuseClass.VulnerableService,
        ["vulnerable-system"] = AbuseClass.VulnerableService,
        ["vulnerable service"] = AbuseClass.VulnerableService,
        ["vulnerable-service"] = AbuseClass.VulnerableService,
        ["potentially-unwanted-accessible"] = AbuseClass.VulnerableService,
        ["copyright"] = AbuseClass.Copyright,
        ["fraud"] = AbuseClass.Fraud,
    };

    /// <summary>Whether the fields name a column for the reported IP or URL.</summary>
    public static bool NamesAnAddress(IReadOnlyList<KeyValuePair<string, string>> fields) =>
        Index(fields, IpNames) >= 0 || Index(fields, UrlNames) >= 0;

    /// <summary>The row's event; null when it names no readable IP and no URL.</summary>
    public static ReportEvent? Of(IReadOnlyList<KeyValuePair<string, string>> row, string attachment, AbuseClass mailClass)
    {
        var ip = Value(row, IpNames) is { } ipText && IpAddressText.TryNormalize(ipText.Trim('[', ']'), out var normalized) ? normalized : null;
        string? url = null;
        string? urlHostIp = null;
        if (Value(row, UrlNames) is { } urlText && UrlText.TryRead(urlText, out var readUrl, out var hostIp))
        {
            url = readUrl;
            urlHostIp = hostIp;
        }

        if (ip is null && url is null)
        {
            return null;
        }

        var type = Value(row, TypeNames);
        var abuseClass = type is null ? mailClass
            : IntelMqTypes.TryGetValue(type, out var known) ? known
            : AbuseClasses.TryParse(type, out var named) ? named
            : AbuseKeywords.Classify(type) is var guessed and not AbuseClass.Other ? guessed : mailClass;

        var evidence = new EvidenceExcerpt().Add("Attachment", EvidenceExcerpt.Flatten(attachment, 100));
        foreach (var (name, value) in row.Where(f => f.Value.Length > 0).Take(MaxEvidenceFields))
        {
            evidence.Add(EvidenceExcerpt.Flatten(name, 40), MailboxRedaction.Redact(value));
        }

        return new ReportEvent
        {
            Ip = ip ?? urlHostIp,
            Port = PortNumber.Read(Value(row, PortNames)),
            Url = url,
            AbuseClass = abuseClass,
            ReportType = type is null ? AttachedDataMailFormat.Format : "attached-" + Slug.Of(type),
            Severity = abuseClass switch
            {
                AbuseClass.Phishing or AbuseClass.Malware or AbuseClass.Botnet => Severity.High,
                AbuseClass.Other => Severity.Low,
                _ => Severity.Medium,
            },
            OccurredAt = ReportedTime.Read(Value(row, TimeNames)),
            Evidence = evidence.Build(),
        };
    }

    private static string? Value(IReadOnlyList<KeyValuePair<string, string>> row, string[] names) =>
        Index(row, names) is var index and >= 0 && row[index].Value is { Length: > 0 } value ? value : null;

    private static int Index(IReadOnlyList<KeyValuePair<string, string>> fields, string[] names)
    {
        foreach (var name in names)
        {
            for (var i = 0; i < fields.Count; i++)
            {
                if (Normalized(fields[i].Key) == name)
                {
                    return i;
                }
            }
        }

        return -1;
    }

    private static string Normalized(string name)
    {
        Span<char> buffer = stackalloc char[Math.Min(name.Length, 64)];
        var length = 0;
        foreach (var c in name.AsSpan(0, Math.Min(name.Length, 64)))
        {
            if (char.IsLetterOrDigit(c))
            {
                buffer[length++] = char.ToLowerInvariant(c);
            }
        }

        return new string(buffer[..length]);
    }
}
