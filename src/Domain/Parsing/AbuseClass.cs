namespace AbuseDesk.Domain.Parsing;

/// <summary>The project's abuse taxonomy. Every report type maps to exactly one class.</summary>
public enum AbuseClass
{
    Other = 0,
    Spam,
    Phishing,
    Malware,
    Botnet,
    Bruteforce,
    Ddos,
    Scanning,
    VulnerableService,
    Copyright,
    Fraud,
}

public static class AbuseClasses
{
    private static readonly Dictionary<string, AbuseClass> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["spam"] = AbuseClass.Spam,
        ["phishing"] = AbuseClass.Phishing,
        ["malware"] = AbuseClass.Malware,
        ["botnet"] = AbuseClass.Botnet,
        ["c2"] = AbuseClass.Botnet,
        ["bruteforce"] = AbuseClass.Bruteforce,
        ["brute-force"] = AbuseClass.Bruteforce,
        ["login-attack"] = AbuseClass.Bruteforce,
        ["ddos"] = AbuseClass.Ddos,
        ["scanning"] = AbuseClass.Scanning,
        ["vulnerable-service"] = AbuseClass.VulnerableService,
        ["vulnerableservice"] = AbuseClass.VulnerableService,
        ["copyright"] = AbuseClass.Copyright,
        ["fraud"] = AbuseClass.Fraud,
        ["other"] = AbuseClass.Other,
    };

    /// <summary>The wire name used in JSON, table rows and playbook keys (kebab-case).</summary>
    public static string ToWireName(this AbuseClass abuseClass) => abuseClass switch
    {
        AbuseClass.VulnerableService => "vulnerable-service",
        _ => abuseClass.ToString().ToLowerInvariant(),
    };

    public static bool TryParse(string? name, out AbuseClass abuseClass)
    {
        abuseClass = AbuseClass.Other;
        return name is not null && ByName.TryGetValue(name.Trim(), out abuseClass);
    }

    public static IReadOnlyCollection<string> WireNames { get; } =
        Enum.GetValues<AbuseClass>().Select(c => c.ToWireName()).ToArray();
}
