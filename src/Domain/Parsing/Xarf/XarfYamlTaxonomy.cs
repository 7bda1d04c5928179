namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>
/// X-ARF 0.1/0.2 Report-Type values (x-arf.org schemas, and what blocklist.de, Netcraft and Clean-MX
/// send) mapped to the desk's abuse classes; Category decides when the Report-Type is unknown.
/// Registration bots, bad bots and harvesters fill forums and mailboxes with spam, so they count as spam;
/// hack attacks (RFI, injection) from a customer host are handled like scanning.
/// </summary>
internal static class XarfYamlTaxonomy
{
    private static readonly Dictionary<string, XarfTypeRule> ReportTypes = new(StringComparer.Ordinal)
    {
        ["login-attack"] = new(AbuseClass.Bruteforce, Severity.High),
        ["bruteforce"] = new(AbuseClass.Bruteforce, Severity.High),
        ["brute-force"] = new(AbuseClass.Bruteforce, Severity.High),
        ["bruteforcelogin"] = new(AbuseClass.Bruteforce, Severity.High),
        ["malware-attack"] = new(AbuseClass.Malware, Severity.High),
        ["malware"] = new(AbuseClass.Malware, Severity.High),
        ["virus"] = new(AbuseClass.Malware, Severity.High),
        ["phishing"] = new(AbuseClass.Phishing, Severity.High),
        ["spam"] = new(AbuseClass.Spam, Severity.Medium),
        ["comment-spam"] = new(AbuseClass.Spam, Severity.Medium),
        ["regbot"] = new(AbuseClass.Spam, Severity.Medium),
        ["reg-bot"] = new(AbuseClass.Spam, Severity.Medium),
        ["badbot"] = new(AbuseClass.Spam, Severity.Medium),
        ["bad-bot"] = new(AbuseClass.Spam, Severity.Medium),
        ["harvesting"] = new(AbuseClass.Spam, Severity.Low),
        ["ddos"] = new(AbuseClass.Ddos, Severity.High),
        ["dos"] = new(AbuseClass.Ddos, Severity.High),
        ["apacheddos"] = new(AbuseClass.Ddos, Severity.High),
        ["denial-of-service"] = new(AbuseClass.Ddos, Severity.High),
        ["ircbot"] = new(AbuseClass.Botnet, Severity.High),
        ["irc-bot"] = new(AbuseClass.Botnet, Severity.High),
        ["botnet"] = new(AbuseClass.Botnet, Severity.High),
        ["bot"] = new(AbuseClass.Botnet, Severity.High),
        ["hack-attack"] = new(AbuseClass.Scanning, Severity.Medium),
        ["exploit"] = new(AbuseClass.Scanning, Severity.Medium),
        ["portscan"] = new(AbuseClass.Scanning, Severity.Low),
        ["port-scan"] = new(AbuseClass.Scanning, Severity.Low),
        ["scan"] = new(AbuseClass.Scanning, Severity.Low),
        ["copyright"] = new(AbuseClass.Copyright, Severity.Medium),
        ["fraud"] = new(AbuseClass.Fraud, Severity.High),
        ["open-service"] = new(AbuseClass.VulnerableService, Severity.Low),
        ["vulnerable-service"] = new(AbuseClass.VulnerableService, Severity.Low),
        ["info"] = new(AbuseClass.Other, Severity.Info),
    };

    private static readonly Dictionary<string, XarfTypeRule> Categories = new(StringComparer.Ordinal)
    {
        ["fraud"] = new(AbuseClass.Fraud, Severity.Medium),
        ["copyright"] = new(AbuseClass.Copyright, Severity.Medium),
        ["info"] = new(AbuseClass.Other, Severity.Info),
    };

    private static readonly XarfTypeRule Unknown = new(AbuseClass.Other, Severity.Medium);

    public static XarfTypeRule Rule(string reportType, string? category) =>
        ReportTypes.GetValueOrDefault(Normalize(reportType))
        ?? (category is null ? null : Categories.GetValueOrDefault(Normalize(category)))
        ?? Unknown;

    /// <summary>"Login_Attack", "login attack" and "login-attack" are one type.</summary>
    public static string Normalize(string name) =>
        name.Trim().ToLowerInvariant().Replace('_', '-').Replace(' ', '-');
}
