namespace AbuseDesk.Domain.Parsing.Shadowserver;

/// <summary>One row of <see cref="ShadowserverReportTypes"/>: what a Shadowserver report type means for the abuse desk.</summary>
/// <param name="Name">The report type as Shadowserver names it in file names ("scan_ssh", "event4_sinkhole").</param>
internal sealed record ShadowserverReportType(string Name, AbuseClass AbuseClass, Severity Severity)
{
    /// <summary>
    /// The column that holds the reported address, for the few reports where it is neither <c>ip</c> nor
    /// <c>src_ip</c> (the referring site of a sinkhole referer report, the target of a DDoS target report).
    /// </summary>
    public string? AddressColumn { get; init; }

    /// <summary>The port belonging to <see cref="AddressColumn"/>; null when that address has none.</summary>
    public string? PortColumn { get; init; }

    /// <summary>
    /// The report is about a URL hosted at the address (malware, phishing, spam, a compromised site), so the
    /// URL is the reported resource. In every other report a URL is what the offender requested (a sinkhole
    /// or a honeypot) and stays evidence only.
    /// </summary>
    public bool NamesUrl { get; init; }
}
