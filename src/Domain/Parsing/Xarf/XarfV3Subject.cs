namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>What a XARF v3 report type is about, which decides where the event's IP or URL comes from.</summary>
internal enum XarfV3Subject
{
    /// <summary>IpBasedReport: SourceIp is required.</summary>
    Ip,

    /// <summary>IpAndUrlBasedReport: SourceIp or SourceUrl.</summary>
    IpOrUrl,

    /// <summary>AccountBasedReport: an account on the host at DestinationIp; SourceIp/SourceUrl are not allowed.</summary>
    Account,
}
