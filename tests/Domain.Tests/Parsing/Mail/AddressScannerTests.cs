using AbuseDesk.Domain.Parsing.Mail;

namespace AbuseDesk.Domain.Tests.Parsing.Mail;

public class AddressScannerTests
{
    private static string[] Found(string text) =>
        AddressScanner.Find(text).Select(f => f.Url ?? (f.Port is { } port ? $"{f.Ip}:{port}" : f.Ip!)).ToArray();

    [Theory]
    [InlineData("from 192.0.2.1.", "192.0.2.1")]
    [InlineData("IP:192.0.2.1,", "192.0.2.1")]
    [InlineData("ip=192.0.2.1&x", "192.0.2.1")]
    [InlineData("[192.0.2.1]", "192.0.2.1")]
    [InlineData("192.0.2.1:8080 open", "192.0.2.1:8080")]
    [InlineData("Source:2001:db8::1", "2001:db8::1")]
    [InlineData("[IPv6:2001:DB8:0:0::1]", "2001:db8::1")]
    [InlineData("host 2001:db8::7: attacked", "2001:db8::7")]
    [InlineData("mapped ::ffff:192.0.2.9 here", "192.0.2.9")]
    [InlineData("see http://example.com/a?b=1.", "http://example.com/a?b=1")]
    [InlineData("(https://example.com/x_(y))", "https://example.com/x_(y)")]
    [InlineData("<http://[2001:db8::2]:8443/p>", "http://[2001:db8::2]:8443/p")]
    public void Finds_the_address_in_prose(string text, string expected)
    {
        Assert.Equal([expected], Found(text));
    }

    [Theory]
    [InlineData("version 1.2.3.4.5")]
    [InlineData("octal 010.0.0.1")]
    [InlineData("too big 256.1.1.1")]
    [InlineData("short 1.2.3")]
    [InlineData("time 12:34:56 and 2026-11-20 02:14:33-07:00")]
    [InlineData("mac 00:1a:2b:3c:4d:5e")]
    [InlineData("word abc192.0.2.1 or 192.0.2.1x")]
    [InlineData("code std::map and a::b and dead:beef::")]
    [InlineData("fingerprint A4:E3:17:B6:DC:64:94:DC:C9:61:63:66:A7:5A:B3:4C")]
    [InlineData("not a url http: //example.com or http://*MUNGED*/x")]
    public void Ignores_what_only_looks_like_an_address(string text)
    {
        Assert.Empty(Found(text));
    }

    [Fact]
    public void Url_with_an_ip_host_carries_the_ip_but_not_an_obfuscated_one()
    {
        var found = AddressScanner.Find("http://192.0.2.7/a http://0x7f.1/b").ToList();

        Assert.Equal("192.0.2.7", found[0].Ip);
        Assert.Equal("http://0x7f.1/b", found[1].Url);
        Assert.Null(found[1].Ip);
    }

    [Fact]
    public void Pathological_input_is_scanned_in_linear_time()
    {
        // Inputs that make backtracking patterns explode: long runs of address characters and of URL text.
        var text = string.Concat(Enumerable.Repeat("1.1.1.1.", 200_000)) + string.Concat(Enumerable.Repeat("a:", 200_000))
            + "http://" + new string('a', 500_000) + " " + string.Concat(Enumerable.Repeat("http://x", 100_000));

        var found = AddressScanner.Find(text).Count();

        Assert.True(found >= 0);
    }
}
