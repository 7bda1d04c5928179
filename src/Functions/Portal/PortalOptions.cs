using System.ComponentModel.DataAnnotations;

namespace AbuseDesk.Functions.Portal;

/// <summary>The "AbuseDesk:Portal" configuration section.</summary>
public sealed class PortalOptions : IValidatableObject
{
    public const string Section = "AbuseDesk:Portal";

    [Required]
    public PortalRateLimitOptions RateLimits { get; set; } = new();

    // Data annotations do not look into nested objects on their own: without this the limits' ranges and the proxy
    // list would go unchecked, and a bad value would surface on the first portal request rather than at start.
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(RateLimits, new ValidationContext(RateLimits), results, validateAllProperties: true);
        return results;
    }
}

/// <summary>
/// Limits on the customer portal, per minute. A customer reading and answering one case stays far below them;
/// they exist so a leaked link or a script cannot hammer storage or flood the abuse team with messages.
/// </summary>
public sealed class PortalRateLimitOptions : IValidatableObject
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
    /// Forwarding proxies whose X-Forwarded-For entries are believed: addresses and CIDR prefixes, separated by
    /// commas (e.g. "10.0.0.0/8, 127.0.0.1"). Empty (the default): the header is ignored and the client is the peer.
    /// Anyone can write the header, so trusting it from an address anyone can reach lets one client pose as many.
    /// In Azure leave it empty: the worker's forwarded-headers middleware already makes the peer address the client
    /// Azure's front end saw. List a proxy only when another one (e.g. a gateway) stands in front of that.
    /// </summary>
    public string TrustedProxies { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!ForwardedFor.TryParseProxies(TrustedProxies, out _, out var error))
        {
            yield return new ValidationResult(error, [nameof(TrustedProxies)]);
        }
    }
}
