using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AbuseDesk.Domain.Ownership;

/// <summary>Strict reading of IP addresses written in reports, into the one canonical text form events carry.</summary>
internal static class IpAddressText
{
    /// <summary>
    /// Reads an IPv4 dotted quad or an IPv6 address and returns its canonical text (RFC 5952 for IPv6,
    /// IPv4-mapped IPv6 as plain IPv4) so the same host always yields the same string for ownership
    /// lookup and case grouping.
    /// </summary>
    /// <remarks>
    /// <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> alone is too forgiving for reports:
    /// it accepts "1", "1.2" and "0x7f.1" (inet_aton shorthands) and zone ids. An abuse complaint pinned
    /// on the wrong host is worse than a rejected one, so only the unambiguous forms pass; octets with
    /// leading zeros are refused because some tools read them as octal.
    /// </remarks>
    public static bool TryNormalize(string? text, out string normalized)
    {
        normalized = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var candidate = text.Trim();
        IPAddress? address;
        if (candidate.Contains(':', StringComparison.Ordinal))
        {
            if (candidate.Contains('%', StringComparison.Ordinal)
                || !IPAddress.TryParse(candidate, out address)
                || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }
        }
        else if (!TryParseDottedQuad(candidate, out address))
        {
            return false;
        }

        normalized = address.ToString();
        return true;
    }

    private static bool TryParseDottedQuad(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            var part = parts[i];
            if (part.Length is 0 or > 3
                || (part.Length > 1 && part[0] == '0')
                || !part.All(char.IsAsciiDigit)
                || !byte.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return false;
            }
        }

        address = new IPAddress(bytes);
        return true;
    }
}
