using System.Net;
using System.Net.Sockets;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Domain.Tests.Ownership;

public class IpAddressesTests
{
    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData(" 198.51.100.7\t", "198.51.100.7")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1")]
    [InlineData("[2001:db8::1]", "2001:db8::1")]
    [InlineData("::1", "::1")]
    [InlineData("::", "::")]
    public void TryParse_reads_plain_literals(string text, string expected)
    {
        var address = IpAddresses.TryParse(text);

        Assert.NotNull(address);
        Assert.Equal(expected, address.ToString());
    }

    [Theory]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1")]
    [InlineData("::FFFF:C000:0201", "192.0.2.1")]
    [InlineData("[::ffff:10.0.0.1]", "10.0.0.1")]
    public void TryParse_normalises_IPv4_mapped_IPv6_to_IPv4(string text, string expected)
    {
        var address = IpAddresses.TryParse(text);

        Assert.NotNull(address);
        Assert.Equal(AddressFamily.InterNetwork, address.AddressFamily);
        Assert.Equal(expected, address.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("1")]
    [InlineData("3221225985")]
    [InlineData("1.2")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.0.0.1")]
    [InlineData("1.2.3.-4")]
    [InlineData("example.com")]
    [InlineData("1.2.3.4/24")]
    [InlineData("2001:db8::g")]
    [InlineData("2001:db8::1::2")]
    [InlineData("fe80::1%eth0")]
    public void TryParse_rejects_anything_that_is_not_a_plain_literal(string? text)
    {
        Assert.Null(IpAddresses.TryParse(text));
    }

    // .NET reads leading-zero octets as octal and 0x octets as hex: "010.0.0.1" would be 8.0.0.1, a
    // different (possibly the provider's own) host. Reports never mean that; refusing is the only safe answer.
    [Theory]
    [InlineData("010.0.0.1")]
    [InlineData("192.168.001.010")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("0xC0.0.2.1")]
    [InlineData("0300.0.2.1")]
    public void TryParse_rejects_octal_and_hex_octets(string text)
    {
        Assert.Null(IpAddresses.TryParse(text));
    }

    [Theory]
    // RFC 1918 private
    [InlineData("10.0.0.0")]
    [InlineData("10.255.255.255")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.0.1")]
    [InlineData("192.168.255.255")]
    // shared address space (CGNAT), "this network", loopback, link-local, multicast, reserved, broadcast
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.255")]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("169.254.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.255")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    // IPv6 loopback, unspecified, link-local, site-local, unique local (ULA), multicast
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("febf:ffff::1")]
    [InlineData("fec0::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456:789a::1")]
    [InlineData("ff02::1")]
    // IPv4-mapped forms of private addresses are just as private
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:192.168.1.1")]
    public void IsNonPublic_is_true_for_private_reserved_loopback_link_local_and_ULA(string text)
    {
        Assert.True(IpAddresses.IsNonPublic(IPAddress.Parse(text)));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("9.255.255.255")]
    [InlineData("11.0.0.0")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("126.255.255.255")]
    [InlineData("128.0.0.0")]
    [InlineData("169.253.255.255")]
    [InlineData("169.255.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.167.255.255")]
    [InlineData("192.169.0.0")]
    [InlineData("223.255.255.255")]
    [InlineData("2a00:1450:4001::1")]
    [InlineData("2600::1")]
    [InlineData("fbff:ffff::1")]
    [InlineData("::ffff:8.8.8.8")]
    public void IsNonPublic_is_false_for_public_addresses_including_the_range_edges(string text)
    {
        Assert.False(IpAddresses.IsNonPublic(IPAddress.Parse(text)));
    }

    [Theory]
    [InlineData("192.0.2.1")]
    [InlineData("192.0.2.255")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.200")]
    [InlineData("2001:db8::1")]
    [InlineData("2001:db8:ffff::1")]
    [InlineData("::ffff:198.51.100.7")]
    public void Documentation_ranges_count_as_public_on_purpose(string text)
    {
        // The demo and the tests allocate the documentation ranges like real customer space.
        Assert.False(IpAddresses.IsNonPublic(IPAddress.Parse(text)));
    }

    [Theory]
    [InlineData("0.0.0.0", 0UL)]
    [InlineData("0.0.0.1", 1UL)]
    [InlineData("192.0.2.1", 0xC0000201UL)]
    [InlineData("255.255.255.255", 0xFFFFFFFFUL)]
    [InlineData("::", 0UL)]
    [InlineData("::1", 1UL)]
    [InlineData("::ffff:ffff", 0xFFFFFFFFUL)]
    public void ToUInt128_holds_the_address_big_endian(string text, ulong expected)
    {
        Assert.Equal((UInt128)expected, IpAddresses.ToUInt128(IPAddress.Parse(text)));
    }

    [Fact]
    public void ToUInt128_and_FromUInt128_round_trip_both_families()
    {
        var random = new Random(4291);
        for (var i = 0; i < 500; i++)
        {
            var v4 = new IPAddress(BitConverter.GetBytes(random.Next()));
            Assert.Equal(v4, IpAddresses.FromUInt128(IpAddresses.ToUInt128(v4), AddressFamily.InterNetwork));

            var bytes = new byte[16];
            random.NextBytes(bytes);
            var v6 = new IPAddress(bytes);
            Assert.Equal(v6, IpAddresses.FromUInt128(IpAddresses.ToUInt128(v6), AddressFamily.InterNetworkV6));
        }

        Assert.Equal(IPAddress.Parse("2001:db8::1"), IpAddresses.FromUInt128(((UInt128)0x20010DB8 << 96) | 1, AddressFamily.InterNetworkV6));
        Assert.Equal(IPAddress.Parse("255.255.255.255"), IpAddresses.FromUInt128(0xFFFFFFFF, AddressFamily.InterNetwork));
    }

    [Fact]
    public void Normalize_maps_only_IPv4_mapped_addresses()
    {
        Assert.Equal(IPAddress.Parse("192.0.2.1"), IpAddresses.Normalize(IPAddress.Parse("::ffff:192.0.2.1")));
        Assert.Equal(IPAddress.Parse("::c000:201"), IpAddresses.Normalize(IPAddress.Parse("::c000:201")));
        Assert.Equal(IPAddress.Parse("2001:db8::1"), IpAddresses.Normalize(IPAddress.Parse("2001:db8::1")));
        Assert.Equal(IPAddress.Parse("192.0.2.1"), IpAddresses.Normalize(IPAddress.Parse("192.0.2.1")));
    }
}
