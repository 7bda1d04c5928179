namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>
/// The report types of the XARF v3 schema (abusix/xarf schemas/3), each with the one ReportClass the schema
/// allows for it, mapped to the desk's abuse classes. Malware appears twice: Content/Malware is malware
/// hosted at the source; Activity/Malware is the RPZ-rewrite report, a host that looked up a malware
/// domain, i.e. an infected client.
/// </summary>
internal static class XarfV3Taxonomy
{
    public static readonly string[] Classes = ["Content", "Activity", "Vulnerability"];

    private static readonly Dictionary<string, XarfV3TypeRule> Rules = new(StringComparer.Ordinal)
    {
        ["Content/Botnet"] = new(XarfV3Subject.IpOrUrl, AbuseClass.Botnet, Severity.High),
        ["Content/ChildAbuse"] = new(XarfV3Subject.IpOrUrl, AbuseClass.Other, Severity.Critical),
        ["Content/Copyright"] = new(XarfV3Subject.IpOrUrl, AbuseClass.Copyright, Severity.Medium),
        ["Content/Malware"] = new(XarfV3Subject.IpOrUrl, AbuseClass.Malware, Severity.High),
        ["Content/Phishing"] = new(XarfV3Subject.IpOrUrl, AbuseClass.Phishing, Severity.High),
        ["Content/Trademark"] = new(XarfV3Subject.IpOrUrl, AbuseClass.Copyright, Severity.Medium),
        ["Activity/DOS"] = new(XarfV3Subject.Ip, AbuseClass.Ddos, Severity.High),
        ["Activity/Exploit"] = new(XarfV3Subject.Ip, AbuseClass.Scanning, Severity.Medium),
        ["Activity/Harassment"] = new(XarfV3Subject.IpOrUrl, AbuseClass.Other, Severity.Medium),
        ["Activity/LoginAttack"] = new(XarfV3Subject.Ip, AbuseClass.Bruteforce, Severity.High),
        ["Activity/Malware"] = new(XarfV3Subject.Ip, AbuseClass.Malware, Severity.Medium),
        ["Activity/PortScan"] = new(XarfV3Subject.Ip, AbuseClass.Scanning, Severity.Low),
        ["Activity/PotentiallyCompromisedAccount"] = new(XarfV3Subject.Account, AbuseClass.Other, Severity.Medium),
        ["Activity/Spam"] = new(XarfV3Subject.Ip, AbuseClass.Spam, Severity.Medium),
        ["Activity/WebCrawler"] = new(XarfV3Subject.IpOrUrl, AbuseClass.Other, Severity.Low),
        ["Vulnerability/OpenService"] = new(XarfV3Subject.IpOrUrl, AbuseClass.VulnerableService, Severity.Low),
    };

    public static IReadOnlyList<string> TypeNames { get; } =
        Rules.Keys.Select(k => k[(k.IndexOf('/', StringComparison.Ordinal) + 1)..]).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>The ReportClass values the schema allows with <paramref name="reportType"/>; empty for an unknown type.</summary>
    public static IReadOnlyList<string> ClassesOf(string reportType) =>
        Classes.Where(c => Rules.ContainsKey($"{c}/{reportType}")).ToArray();

    public static XarfV3TypeRule? Rule(string reportClass, string reportType) =>
        Rules.GetValueOrDefault($"{reportClass}/{reportType}");
}
