namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>
/// XARF v4 categories and types (xarf-spec docs/specification.md, the 32 category/type combinations)
/// mapped to the desk's abuse classes. The mapping follows what the desk has to do, not the XARF
/// wording: a host sending exploit or injection traffic is handled like scanning from a customer host,
/// a trademark (brand) complaint like a copyright notice, CSAM/CSEM as Other with Critical severity so
/// it always reaches a human.
/// </summary>
internal static class XarfV4Taxonomy
{
    public static readonly string[] Categories =
        ["messaging", "content", "copyright", "connection", "vulnerability", "infrastructure", "reputation"];

    private static readonly Dictionary<string, XarfTypeRule> Types = new(StringComparer.Ordinal)
    {
        // smtp_from and source_port are required on top when protocol is smtp (see XarfV4Reader).
        ["messaging/spam"] = new(AbuseClass.Spam, Severity.Medium, "protocol"),
        ["messaging/bulk_messaging"] = new(AbuseClass.Spam, Severity.Low, "protocol", "recipient_count"),

        ["connection/login_attack"] = new(AbuseClass.Bruteforce, Severity.High, "protocol", "first_seen"),
        ["connection/port_scan"] = new(AbuseClass.Scanning, Severity.Low, "protocol", "first_seen"),
        ["connection/ddos"] = new(AbuseClass.Ddos, Severity.High, "protocol", "first_seen"),
        ["connection/scraping"] = new(AbuseClass.Other, Severity.Low, "protocol", "first_seen", "total_requests"),
        ["connection/sql_injection"] = new(AbuseClass.Scanning, Severity.Medium, "protocol", "first_seen"),
        ["connection/vulnerability_scan"] = new(AbuseClass.Scanning, Severity.Low, "protocol", "first_seen", "scan_type"),
        ["connection/infected_host"] = new(AbuseClass.Botnet, Severity.High, "protocol", "first_seen", "bot_type"),
        ["connection/reconnaissance"] = new(AbuseClass.Scanning, Severity.Low, "protocol", "first_seen", "probed_resources"),

        ["content/phishing"] = new(AbuseClass.Phishing, Severity.High, "url"),
        ["content/malware"] = new(AbuseClass.Malware, Severity.High, "url"),
        ["content/fraud"] = new(AbuseClass.Fraud, Severity.High, "url", "fraud_type"),
        ["content/csam"] = new(AbuseClass.Other, Severity.Critical, "url", "classification", "detection_method"),
        ["content/csem"] = new(AbuseClass.Other, Severity.Critical, "url", "detection_method", "exploitation_type"),
        ["content/exposed_data"] = new(AbuseClass.VulnerableService, Severity.High, "url", "data_types", "exposure_method"),
        ["content/brand_infringement"] = new(AbuseClass.Copyright, Severity.Medium, "url", "infringement_type", "legitimate_site"),
        ["content/suspicious_registration"] = new(AbuseClass.Other, Severity.Low, "url", "registration_date", "suspicious_indicators"),
        ["content/remote_compromise"] = new(AbuseClass.Malware, Severity.High, "url", "compromise_type"),

        ["copyright/copyright"] = new(AbuseClass.Copyright, Severity.Medium, "infringing_url"),
        ["copyright/cyberlocker"] = new(AbuseClass.Copyright, Severity.Medium, "infringing_url", "hosting_service"),
        ["copyright/link_site"] = new(AbuseClass.Copyright, Severity.Medium, "infringing_url", "site_name"),
        ["copyright/p2p"] = new(AbuseClass.Copyright, Severity.Medium, "p2p_protocol", "swarm_info"),
        ["copyright/ugc_platform"] = new(AbuseClass.Copyright, Severity.Medium, "infringing_url", "platform_name"),
        ["copyright/usenet"] = new(AbuseClass.Copyright, Severity.Medium, "newsgroup", "message_info"),

        ["vulnerability/cve"] = new(AbuseClass.VulnerableService, Severity.Medium, "service", "cve_id", "service_port"),
        ["vulnerability/misconfiguration"] = new(AbuseClass.VulnerableService, Severity.Low, "service"),
        ["vulnerability/open_service"] = new(AbuseClass.VulnerableService, Severity.Low, "service"),

        ["infrastructure/botnet"] = new(AbuseClass.Botnet, Severity.High, "compromise_evidence"),
        ["infrastructure/compromised_server"] = new(AbuseClass.Malware, Severity.High, "compromise_method"),

        // The class of a reputation report comes from its threat_type (see ClassOfThreat).
        ["reputation/blocklist"] = new(AbuseClass.Other, Severity.Low, "threat_type"),
        ["reputation/threat_intelligence"] = new(AbuseClass.Other, Severity.Low, "threat_type"),

        // Names from earlier 4.x drafts that generators still emit. Their drafts' required fields differ,
        // so only the class is taken.
        ["messaging/phishing"] = new(AbuseClass.Phishing, Severity.High),
        ["connection/auth_failure"] = new(AbuseClass.Bruteforce, Severity.Medium),
        ["connection/ddos_amplification"] = new(AbuseClass.Ddos, Severity.Medium),
        ["connection/bot"] = new(AbuseClass.Botnet, Severity.High),
        ["connection/vuln_scanning"] = new(AbuseClass.Scanning, Severity.Low),
        ["infrastructure/bot"] = new(AbuseClass.Botnet, Severity.High),
        ["vulnerability/open"] = new(AbuseClass.VulnerableService, Severity.Low),
    };

    // The spec lets new types appear without breaking parsers; an unknown type is read with its
    // category's general meaning.
    private static readonly Dictionary<string, XarfTypeRule> CategoryDefaults = new(StringComparer.Ordinal)
    {
        ["messaging"] = new(AbuseClass.Spam, Severity.Medium),
        ["connection"] = new(AbuseClass.Other, Severity.Medium),
        ["content"] = new(AbuseClass.Other, Severity.Medium),
        ["copyright"] = new(AbuseClass.Copyright, Severity.Medium),
        ["vulnerability"] = new(AbuseClass.VulnerableService, Severity.Low),
        ["infrastructure"] = new(AbuseClass.Malware, Severity.High),
        ["reputation"] = new(AbuseClass.Other, Severity.Low),
    };

    // Looked for inside a reputation report's threat_type, most specific first.
    private static readonly (string Fragment, AbuseClass AbuseClass)[] Threats =
    [
        ("command_and_control", AbuseClass.Botnet),
        ("c2", AbuseClass.Botnet),
        ("botnet", AbuseClass.Botnet),
        ("phish", AbuseClass.Phishing),
        ("spam", AbuseClass.Spam),
        ("malware", AbuseClass.Malware),
        ("brute", AbuseClass.Bruteforce),
        ("login", AbuseClass.Bruteforce),
        ("ddos", AbuseClass.Ddos),
        ("scan", AbuseClass.Scanning),
        ("fraud", AbuseClass.Fraud),
    ];

    /// <summary>The rule for a category/type pair; <paramref name="known"/> is false for a type the spec does not (yet) list.</summary>
    public static XarfTypeRule Rule(string category, string type, out bool known)
    {
        known = Types.TryGetValue($"{category}/{type}", out var rule);
        return rule ?? CategoryDefaults[category];
    }

    public static bool IsCategory(string category) => CategoryDefaults.ContainsKey(category);

    public static AbuseClass ClassOfThreat(string? threatType)
    {
        var text = threatType?.ToLowerInvariant() ?? string.Empty;
        foreach (var (fragment, abuseClass) in Threats)
        {
            if (text.Contains(fragment, StringComparison.Ordinal))
            {
                return abuseClass;
            }
        }

        return AbuseClass.Other;
    }
}
