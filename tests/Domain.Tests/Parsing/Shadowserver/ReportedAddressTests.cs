using AbuseDesk.Domain.Parsing;
using AbuseDesk.Domain.Parsing.Shadowserver;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Domain.Tests.Parsing.Shadowserver;

public class ReportedAddressTests
{
    [Theory]
    [InlineData("192.0.2.1")]
    [InlineData(" 198.51.100.255 ")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("192.0.2.01")]
    [InlineData("192.0.2.256")]
    [InlineData("192.0.2")]
    [InlineData("192.0.2.1.5")]
    [InlineData("1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("192.0.2.1/24")]
    [InlineData("192.0.2.-1")]
    [InlineData("192..2.1")]
    [InlineData("１９２.0.2.1")]
    [InlineData("2001:DB8::1")]
    [InlineData("::ffff:203.0.113.9")]
    [InlineData("fe80::1%eth0")]
    [InlineData("")]
    [InlineData("not an ip")]
    public void Reads_addresses_exactly_as_ip_address_text_does(string text)
    {
        var expectedOk = IpAddressText.TryNormalize(text, out var expected);
        var actualOk = ReportedAddress.TryNormalize(text, out var actual);

        Assert.Equal(expectedOk, actualOk);
        if (expectedOk)
        {
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Every_dotted_quad_form_agrees_with_ip_address_text()
    {
        var random = new Random(2024);
        string[] parts = ["0", "00", "01", "1", "9", "10", "99", "100", "199", "255", "256", "300", "999", "1000", "", "a"];
        for (var round = 0; round < 20_000; round++)
        {
            var count = random.Next(3, 6);
            var text = string.Join('.', Enumerable.Range(0, count).Select(_ => parts[random.Next(parts.Length)]));

            var expectedOk = IpAddressText.TryNormalize(text, out var expected);
            var actualOk = ReportedAddress.TryNormalize(text, out var actual);

            Assert.True(expectedOk == actualOk, text);
            Assert.Equal(expectedOk ? expected : string.Empty, expectedOk ? actual : string.Empty);
        }
    }
}
