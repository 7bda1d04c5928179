using System.Net;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Functions.Portal;

/// <summary>
/// The client address behind forwarding proxies, trusting X-Forwarded-For only as far as configured proxies vouch
/// for it. Anyone can write the header; only the entry a trusted proxy appended says who connected to that proxy.
/// So the walk starts at the peer and, while the address in hand is a configured proxy, steps to the header's next
/// entry from the right. With no proxies configured (the default) the header is ignored: in Azure the worker's own
/// forwarded-headers middleware has already put the front end's view of the client in the peer address.
/// </summary>
public static class ForwardedFor
{
    public const string Setting = "AbuseDesk:Portal:RateLimits:TrustedProxies";

    // Bounds the work a hostile header can cause; a real chain is a handful of hops.
    private const int MaxHeaderLength = 2048;
    private const int MaxHops = 16;

    /// <summary>Parses the setting: addresses and CIDR prefixes separated by commas, semicolons or spaces.</summary>
    public static bool TryParseProxies(string? list, out IReadOnlyList<IpPrefix> proxies, out string? error)
    {
        var parsed = new List<IpPrefix>();
        proxies = parsed;
        error = null;
        foreach (var entry in (list ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IpPrefix.TryParse(entry, out var prefix, out var problem))
            {
                error = $"{Setting}: '{entry}' is not an IP address or CIDR prefix ({problem})";
                return false;
            }

            parsed.Add(prefix);
        }

        return true;
    }

    public static string ClientAddress(IPAddress? peer, string? forwardedFor, IReadOnlyList<IpPrefix> proxies)
    {
        if (peer is null)
        {
            return "unknown";
        }

        var client = IpAddresses.Normalize(peer);
        if (proxies.Count == 0 || forwardedFor is not { Length: > 0 and <= MaxHeaderLength })
        {
            return client.ToString();
        }

        var hops = forwardedFor.Split(',');
        for (var i = hops.Length - 1; i >= Math.Max(0, hops.Length - MaxHops) && IsProxy(client, proxies); i--)
        {
            if (Address(hops[i]) is not { } hop)
            {
                // An entry no proxy would write: stop at the last hop a trusted proxy vouched for.
                break;
            }

            client = hop;
        }

        return client.ToString();
    }

    private static bool IsProxy(IPAddress address, IReadOnlyList<IpPrefix> proxies) => proxies.Any(p => p.Contains(address));

    /// <summary>An X-Forwarded-For entry: an address, optionally with a port ("198.51.100.7:4711", "[2001:db8::7]:4711").</summary>
    private static IPAddress? Address(string entry)
    {
        var text = entry.Trim();
        if (text.StartsWith('[') && text.IndexOf(']', StringComparison.Ordinal) is > 0 and var close)
        {
            text = text[1..close];
        }
        else if (text.Count(c => c == ':') == 1)
        {
            text = text[..text.IndexOf(':', StringComparison.Ordinal)];
        }

        return IpAddresses.TryParse(text);
    }
}
