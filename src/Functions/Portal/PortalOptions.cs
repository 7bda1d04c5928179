using System.ComponentModel.DataAnnotations;

namespace AbuseDesk.Functions.Portal;

/// <summary>The "AbuseDesk:Portal" configuration section.</summary>
public sealed class PortalOptions
{
    public const string Section = "AbuseDesk:Portal";

    [Required]
    public PortalRateLimitOptions RateLimits { get; set; } = new();
}

/// <summary>
/// Limits on the customer portal, per minute. A customer reading and answering one case stays far below them;
/// they exist so a leaked link or a script cannot hammer storage or flood the abuse team with messages.
/// </summary>
public sealed class PortalRateLimitOptions
{
    /// <summary>Page views of one link.</summary>
    [Range(1, 100_000)]
    public int GetsPerTokenPerMinute { get; set; } = 60;

    /// <summary>Form posts with one link (each may write history and send mail).</summary>
    [Range(1, 100_000)]
    public int PostsPerTokenPerMinute { get; set; } = 10;

    /// <summary>All portal requests from one client address, whatever link they carry.</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerIpPerMinute { get; set; } = 120;

    /// <summary>
    /// Take the client address from the last X-Forwarded-For entry when the request comes from loopback. In Azure
    /// the Functions host forwards every request to this app over loopback, so without this every customer would
    /// share the host's address; the last entry is the one Azure's front end added, not one the client wrote.
    /// </summary>
    public bool ForwardedForFromLoopback { get; set; } = true;
}
