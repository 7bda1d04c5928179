using AbuseDesk.Domain.Parsing;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Domain.Tests.Ownership;

public class IpAddressTextTests
{
    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData(" 198.51.100.255 ", "198.51.100.255")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1")]
    [InlineData("2001:db8::", "2001:db8::")]
    [InlineData("::ffff:203.0.113.9", "203.0.113.9")]
    [InlineData("::1", "::1")]
    public void Normalises_unambiguous_addresses(string text, string expected)
    {
        Assert.True(IpAddressText.TryNormalize(text, out var normalized));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("1.2")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.1.1.1")]
    [InlineData("010.1.1.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("+1.2.3.4")]
    [InlineData("fe80::1%eth0")]
    [InlineData("2001:db8::g")]
    [InlineData("example.com")]
    [InlineData("XX.YY.ZZ.6")]
    public void Rejects_anything_else(string? text)
    {
        Assert.False(IpAddressText.TryNormalize(text, out _));
    }
}
