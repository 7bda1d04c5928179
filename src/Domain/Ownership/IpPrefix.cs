using System.Net;
using System.Net.Sockets;

namespace AbuseDesk.Domain.Ownership;

/// <summary>
/// A CIDR block, IPv4 or IPv6. Addresses are held as 128-bit numbers (IPv4 in the low 32 bits) so one
/// lookup structure serves both families; the family is kept so an IPv4 block never matches IPv6.
/// </summary>
public readonly record struct IpPrefix(AddressFamily Family, UInt128 Network, int Length)
{
    public int MaxLength => Family == AddressFamily.InterNetwork ? 32 : 128;

    public static bool TryParse(string? text, out IpPrefix prefix, out string? error)
    {
        prefix = default;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "CIDR is empty";
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text.Trim() : text[..slash].Trim();
        if (IpAddresses.ParseLiteral(addressText) is not { } address)
        {
            error = $"'{text}' is not a CIDR block (bad address)";
            return false;
        }

        // The length is counted in the family the address is written in: ::ffff:10.0.0.0/104 is 10.0.0.0/8.
        var written = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var length = written;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1).Trim(), out length) || length < 0 || length > written))
        {
            error = $"'{text}' is not a CIDR block (prefix length must be 0-{written})";
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            if (length < 96)
            {
                error = $"'{text}' is not a CIDR block (an IPv4-mapped block must be /96 or longer; write it as IPv4)";
                return false;
            }

            address = address.MapToIPv4();
            length -= 96;
        }

        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var value = IpAddresses.ToUInt128(address);
        var masked = value & Mask(length, max);
        if (masked != value)
        {
            var suggestion = new IpPrefix(address.AddressFamily, masked, length);
            error = $"'{text}' has host bits set; did you mean {suggestion}?";
            return false;
        }

        prefix = new IpPrefix(address.AddressFamily, masked, length);
        return true;
    }

    public bool Contains(IPAddress address)
    {
        address = IpAddresses.Normalize(address);
        return address.AddressFamily == Family && (IpAddresses.ToUInt128(address) & Mask(Length, MaxLength)) == Network;
    }

    internal static UInt128 Mask(int length, int max) =>
        length == 0 ? UInt128.Zero : (UInt128.MaxValue << (128 - length)) >> (128 - max);

    public override string ToString() => $"{IpAddresses.FromUInt128(Network, Family)}/{Length}";
}
