using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace AbuseDesk.Domain.Ownership;

public static class IpAddresses
{
    /// <summary>IPv4-mapped IPv6 (::ffff:a.b.c.d) is the same host as a.b.c.d: treat it so everywhere.</summary>
    public static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Parses and normalises; returns null for anything that is not a plain IP literal.</summary>
    public static IPAddress? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Trim().Trim('[', ']');
        return ParseLiteral(trimmed) is { } address ? Normalize(address) : null;
    }

    /// <summary>
    /// A strict IP literal, not normalised: an IPv4 dotted quad or an IPv6 address without a zone id.
    /// IPAddress.TryParse alone also accepts "1", "1.2", "010.0.0.1" (octal: 8.0.0.1) and "0x7f.0.0.1";
    /// reading those as some other host would pin a complaint or an allocation on the wrong customer.
    /// </summary>
    internal static IPAddress? ParseLiteral(string text) =>
        IpAddressText.TryNormalize(text, out _) ? IPAddress.Parse(text.Trim()) : null;

    public static UInt128 ToUInt128(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return written == 4
            ? BinaryPrimitives.ReadUInt32BigEndian(bytes)
            : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    public static IPAddress FromUInt128(UInt128 value, AddressFamily family)
    {
        if (family == AddressFamily.InterNetwork)
        {
            Span<byte> four = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(four, (uint)value);
            return new IPAddress(four);
        }

        Span<byte> sixteen = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(sixteen, value);
        return new IPAddress(sixteen);
    }

    /// <summary>
    /// Private, loopback, link-local, documentation-free special ranges that can never be a customer's
    /// public address. Such events are kept and flagged, never routed. Documentation ranges
    /// (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are deliberately NOT here: the
    /// demo and the tests allocate them like real space.
    /// </summary>
    public static bool IsNonPublic(IPAddress address)
    {
        address = Normalize(address);
        if (IPAddress.IsLoopback(address))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            foreach (var prefix in NonPublicV4)
            {
                if (prefix.Contains(address))
                {
                    return true;
                }
            }

            return false;
        }

        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast
            || address.Equals(IPAddress.IPv6Any);
    }

    private static readonly IpPrefix[] NonPublicV4 =
        new[] { "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4" }
            .Select(p => IpPrefix.TryParse(p, out var parsed, out _) ? parsed : throw new InvalidOperationException(p))
            .ToArray();
}
