using AbuseDesk.Domain.Ownership;
namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>Reads a URL a reporter names, and the IP when its host is written as one.</summary>
internal static class UrlText
{
    public const int MaxLength = 2048;

    private static readonly string[] Schemes = ["http://", "https://", "ftp://"];

    /// <summary>
    /// An absolute http, https or ftp URL with a host. <paramref name="url"/> is the reporter's text, except
    /// that an IPv6 host written without brackets and with a port ("http://2001:db8::1:8080/x", as Safe
    /// Browsing does) is bracketed, because nothing else can read it. <paramref name="hostIp"/> is the host
    /// as a canonical IP when it is an IP literal in a strict form; "http://0x7f.1/" keeps a null IP
    /// rather than being read as some host the reporter may not have meant.
    /// </summary>
    public static bool TryRead(string? text, out string url, out string? hostIp)
    {
        url = string.Empty;
        hostIp = null;
        var candidate = text?.Trim();
        if (string.IsNullOrEmpty(candidate) || candidate.Length > MaxLength)
        {
            return false;
        }

        var scheme = Schemes.FirstOrDefault(s => candidate.StartsWith(s, StringComparison.OrdinalIgnoreCase));
        if (scheme is null)
        {
            return false;
        }

        var authorityEnd = candidate.IndexOfAny(['/', '?', '#'], scheme.Length);
        if (authorityEnd < 0)
        {
            authorityEnd = candidate.Length;
        }

        var authority = candidate[scheme.Length..authorityEnd];
        var userInfoEnd = authority.LastIndexOf('@');
        var hostAndPort = userInfoEnd >= 0 ? authority[(userInfoEnd + 1)..] : authority;
        var host = ReadHost(hostAndPort, out var bracketed);
        if (bracketed is not null)
        {
            candidate = string.Concat(candidate.AsSpan(0, scheme.Length + userInfoEnd + 1), bracketed, candidate.AsSpan(authorityEnd));
        }

        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return false;
        }

        url = candidate;
        hostIp = IpAddressText.TryNormalize(host, out var ip) ? ip : null;
        return true;
    }

    /// <summary>The host of "host", "host:port", "[v6]:port" or a bare "v6" / "v6:port".</summary>
    private static string ReadHost(string hostAndPort, out string? bracketed)
    {
        bracketed = null;
        if (hostAndPort.StartsWith('['))
        {
            var close = hostAndPort.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? hostAndPort[1..close] : hostAndPort;
        }

        var firstColon = hostAndPort.IndexOf(':', StringComparison.Ordinal);
        if (firstColon < 0)
        {
            return hostAndPort;
        }

        if (firstColon == hostAndPort.LastIndexOf(':'))
        {
            return hostAndPort[..firstColon];
        }

        // Several colons without brackets: an IPv6 address, perhaps with the port appended.
        if (IpAddressText.TryNormalize(hostAndPort, out _))
        {
            bracketed = $"[{hostAndPort}]";
            return hostAndPort;
        }

        var lastColon = hostAndPort.LastIndexOf(':');
        var address = hostAndPort[..lastColon];
        var port = hostAndPort[(lastColon + 1)..];
        if (port.Length is > 0 and <= 5 && port.All(char.IsAsciiDigit) && IpAddressText.TryNormalize(address, out _))
        {
            bracketed = $"[{address}]:{port}";
            return address;
        }

        return hostAndPort;
    }
}
