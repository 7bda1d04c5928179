namespace AbuseDesk.Domain.Feedback;

/// <summary>
/// The reasons <see cref="Cases.CaseAssignment.Route"/> gives for an unrouted event, as stable codes the reporter
/// templates put in plain words, and as the short English the report API shows.
/// </summary>
public static class UnroutedReasons
{
    public const string NotOurNetwork = "not-our-network";
    public const string PrivateAddress = "private-address";
    public const string NoIp = "no-ip";
    public const string HostUnresolved = "host-unresolved";
    public const string InvalidIp = "invalid-ip";
    public const string Other = "other";

    public static string CodeOf(string? reason) => reason switch
    {
        "outside the provider's network" => NotOurNetwork,
        "private or reserved address" => PrivateAddress,
        "invalid IP address" => InvalidIp,
        not null when reason.StartsWith(Cases.ReportedHosts.UnresolvedPrefix, StringComparison.Ordinal) => HostUnresolved,
        not null when reason.StartsWith("no IP address", StringComparison.Ordinal) => NoIp,
        _ => Other,
    };

    public static string PlainWords(string code) => code switch
    {
        NotOurNetwork => "not our network",
        PrivateAddress => "private or reserved address",
        NoIp => "no IP address",
        HostUnresolved => "its host did not resolve",
        InvalidIp => "invalid IP address",
        _ => "not routed",
    };
}
