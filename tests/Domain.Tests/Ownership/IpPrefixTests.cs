using System.Net;
using System.Net.Sockets;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Domain.Tests.Ownership;

public class IpPrefixTests
{
    internal static IpPrefix Parse(string text)
    {
        Assert.True(IpPrefix.TryParse(text, out var prefix, out var error), $"'{text}' should parse: {error}");
        Assert.Null(error);
        return prefix;
    }

    private static string ParseError(string? text)
    {
        Assert.False(IpPrefix.TryParse(text, out var prefix, out var error), $"'{text}' should not parse");
        Assert.Equal(default, prefix);
        Assert.False(string.IsNullOrWhiteSpace(error));
        return error!;
    }

    [Fact]
    public void Parses_an_IPv4_block()
    {
        var prefix = Parse("198.51.100.0/24");

        Assert.Equal(AddressFamily.InterNetwork, prefix.Family);
        Assert.Equal(24, prefix.Length);
        Assert.Equal(32, prefix.MaxLength);
        Assert.Equal((UInt128)0xC6336400u, prefix.Network);
        Assert.Equal("198.51.100.0/24", prefix.ToString());
    }

    [Fact]
    public void Parses_an_IPv6_block_into_its_canonical_form()
    {
        var prefix = Parse("2001:DB8:0:0::/32");

        Assert.Equal(AddressFamily.InterNetworkV6, prefix.Family);
        Assert.Equal(32, prefix.Length);
        Assert.Equal(128, prefix.MaxLength);
        Assert.Equal((UInt128)0x20010DB8 << 96, prefix.Network);
        Assert.Equal("2001:db8::/32", prefix.ToString());
    }

    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7/32")]
    [InlineData("2001:db8::7", "2001:db8::7/128")]
    public void A_bare_address_is_a_single_host_block(string text, string expected)
    {
        var prefix = Parse(text);

        Assert.Equal(prefix.MaxLength, prefix.Length);
        Assert.Equal(expected, prefix.ToString());
    }

    [Theory]
    [InlineData(" 10.0.0.0/8 ", "10.0.0.0/8")]
    [InlineData("10.0.0.0 / 8", "10.0.0.0/8")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("255.255.255.255/32", "255.255.255.255/32")]
    [InlineData("::/0", "::/0")]
    [InlineData("2001:db8::1/128", "2001:db8::1/128")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128")]
    [InlineData("2001:db8:1:2::/64", "2001:db8:1:2::/64")]
    public void Parses_edges_and_surrounding_whitespace(string text, string expected)
    {
        Assert.Equal(expected, Parse(text).ToString());
    }

    [Theory]
    [InlineData("10.0.0.1/8", "10.0.0.0/8")]
    [InlineData("198.51.100.77/24", "198.51.100.0/24")]
    [InlineData("192.0.2.1/31", "192.0.2.0/31")]
    [InlineData("1.2.3.4/0", "0.0.0.0/0")]
    [InlineData("2001:db8::1/32", "2001:db8::/32")]
    [InlineData("2001:db8:1:2:3:4:5:6/64", "2001:db8:1:2::/64")]
    public void Host_bits_set_is_an_error_that_suggests_the_network(string text, string suggestion)
    {
        var error = ParseError(text);

        Assert.Contains("host bits set", error, StringComparison.Ordinal);
        Assert.Contains($"did you mean {suggestion}?", error, StringComparison.Ordinal);
        Assert.Contains($"'{text}'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.0/33", "0-32")]
    [InlineData("10.0.0.0/-1", "0-32")]
    [InlineData("10.0.0.0/", "0-32")]
    [InlineData("10.0.0.0/abc", "0-32")]
    [InlineData("10.0.0.0/8.5", "0-32")]
    [InlineData("10.0.0.0/8/8", "0-32")]
    [InlineData("10.0.0.0/99999999999", "0-32")]
    [InlineData("2001:db8::/129", "0-128")]
    [InlineData("2001:db8::/-8", "0-128")]
    [InlineData("2001:db8::/x", "0-128")]
    public void Bad_prefix_lengths_are_errors_naming_the_valid_range(string text, string range)
    {
        var error = ParseError(text);

        Assert.Contains($"prefix length must be {range}", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void Empty_input_is_an_error(string? text)
    {
        Assert.Equal("CIDR is empty", ParseError(text));
    }

    [Theory]
    [InlineData("not-an-ip/8")]
    [InlineData("300.0.0.0/8")]
    [InlineData("10.0.0/24")]
    [InlineData("10.0.0.0.0/8")]
    [InlineData("2001:db8::g/32")]
    [InlineData("2001:db8:::/32")]
    [InlineData("fe80::%eth0/64")]
    [InlineData("/8")]
    public void Bad_addresses_are_errors(string text)
    {
        Assert.Contains("bad address", ParseError(text), StringComparison.Ordinal);
    }

    // IPAddress.TryParse reads inet_aton shorthands and octal/hex octets: "10/8" would become 0.0.0.10 and
    // "010.0.0.0/8" would silently allocate 8.0.0.0/8 to a customer. An allocation import must refuse them.
    [Theory]
    [InlineData("10/8")]
    [InlineData("10.1/16")]
    [InlineData("167772160/8")]
    [InlineData("010.0.0.0/8")]
    [InlineData("192.168.001.000/24")]
    [InlineData("0x0a.0.0.0/8")]
    [InlineData("+10.0.0.0/8")]
    public void Ambiguous_IPv4_shorthands_are_errors_not_other_blocks(string text)
    {
        Assert.Contains("bad address", ParseError(text), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("::ffff:10.0.0.0/104", "10.0.0.0/8")]
    [InlineData("::ffff:198.51.100.0/120", "198.51.100.0/24")]
    [InlineData("::ffff:192.0.2.7/128", "192.0.2.7/32")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7/32")]
    [InlineData("::ffff:0.0.0.0/96", "0.0.0.0/0")]
    public void An_IPv4_mapped_block_is_the_IPv4_block_it_maps(string text, string expected)
    {
        var prefix = Parse(text);

        Assert.Equal(AddressFamily.InterNetwork, prefix.Family);
        Assert.Equal(expected, prefix.ToString());
        Assert.Equal(Parse(expected), prefix);
    }

    [Theory]
    [InlineData("::ffff:10.0.0.0/8")]
    [InlineData("::ffff:10.0.0.0/95")]
    public void An_IPv4_mapped_block_shorter_than_96_bits_is_an_error(string text)
    {
        Assert.Contains("/96", ParseError(text), StringComparison.Ordinal);
    }

    [Fact]
    public void Equal_blocks_are_equal_however_they_are_written()
    {
        Assert.Equal(Parse("2001:db8::/32"), Parse("2001:0DB8:0000::/32"));
        Assert.Equal(Parse("10.0.0.0/8"), Parse(" 10.0.0.0/8"));
        Assert.NotEqual(Parse("10.0.0.0/8"), Parse("10.0.0.0/9"));
        // Same numeric value and length, different family: never the same block.
        Assert.NotEqual(Parse("0.0.0.0/0"), Parse("::/0"));
        Assert.NotEqual(Parse("0.0.0.10/32"), Parse("::a/128"));
    }

    [Theory]
    [InlineData("198.51.100.0/24", "198.51.100.0", true)]
    [InlineData("198.51.100.0/24", "198.51.100.255", true)]
    [InlineData("198.51.100.0/24", "198.51.101.0", false)]
    [InlineData("198.51.100.0/24", "198.51.99.255", false)]
    [InlineData("198.51.100.0/24", "::ffff:198.51.100.7", true)]
    [InlineData("198.51.100.0/24", "::ffff:198.51.101.7", false)]
    [InlineData("198.51.100.0/24", "::c633:6407", false)]
    [InlineData("198.51.100.0/24", "64:ff9b::c633:6407", false)]
    [InlineData("192.0.2.7/32", "192.0.2.7", true)]
    [InlineData("192.0.2.7/32", "192.0.2.6", false)]
    [InlineData("192.0.2.7/32", "192.0.2.8", false)]
    [InlineData("0.0.0.0/0", "0.0.0.0", true)]
    [InlineData("0.0.0.0/0", "255.255.255.255", true)]
    [InlineData("0.0.0.0/0", "::", false)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    [InlineData("2001:db8::/32", "2001:db8::", true)]
    [InlineData("2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true)]
    [InlineData("2001:db8::/32", "2001:db9::", false)]
    [InlineData("2001:db8::/32", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false)]
    [InlineData("2001:db8::/32", "32.1.13.184", false)]
    [InlineData("2001:db8::1/128", "2001:db8::1", true)]
    [InlineData("2001:db8::1/128", "2001:db8::2", false)]
    [InlineData("::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true)]
    [InlineData("::/0", "10.0.0.1", false)]
    [InlineData("::/0", "::ffff:10.0.0.1", false)]
    public void Contains_matches_only_addresses_of_the_same_family_inside_the_block(string cidr, string address, bool expected)
    {
        Assert.Equal(expected, Parse(cidr).Contains(IPAddress.Parse(address)));
    }

    [Fact]
    public void ToString_parses_back_to_the_same_block_for_random_prefixes()
    {
        var random = new Random(5952);
        for (var i = 0; i < 2000; i++)
        {
            var v4 = random.Next(2) == 0;
            var max = v4 ? 32 : 128;
            var length = random.Next(max + 1);
            var value = v4 ? (UInt128)(uint)random.NextInt64(0, 1L << 32) : RandomUInt128(random);
            var network = value & (length == 0 ? UInt128.Zero : (UInt128.MaxValue << (128 - length)) >> (128 - max));
            var family = v4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
            if (!v4 && network >> 32 == 0xFFFF)
            {
                continue; // inside ::ffff:0:0/96: that address space is IPv4 and is parsed as such
            }

            var prefix = new IpPrefix(family, network, length);
            Assert.Equal(prefix, Parse(prefix.ToString()));
        }
    }

    internal static UInt128 RandomUInt128(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }
}
