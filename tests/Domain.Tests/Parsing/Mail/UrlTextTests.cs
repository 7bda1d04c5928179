using AbuseDesk.Domain.Parsing.Mail;

namespace AbuseDesk.Domain.Tests.Parsing.Mail;

public class UrlTextTests
{
    [Theory]
    [InlineData("http://example.com/a", "http://example.com/a", null)]
    [InlineData("https://user@192.0.2.5:8443/x", "https://user@192.0.2.5:8443/x", "192.0.2.5")]
    [InlineData("http://[2001:db8::5]/x", "http://[2001:db8::5]/x", "2001:db8::5")]
    [InlineData("http://2001:db8:0:0:0:0:0:5:2222/x", "http://[2001:db8:0:0:0:0:0:5]:2222/x", "2001:db8::5")]
    [InlineData("http://2001:db8::5/x", "http://[2001:db8::5]/x", "2001:db8::5")]
    [InlineData("ftp://files.example/setup.exe", "ftp://files.example/setup.exe", null)]
    [InlineData("http://3232235777/", "http://3232235777/", null)]
    public void Reads_the_url_and_its_ip_host(string text, string url, string? ip)
    {
        Assert.True(UrlText.TryRead(text, out var read, out var hostIp));
        Assert.Equal(url, read);
        Assert.Equal(ip, hostIp);
    }

    [Theory]
    [InlineData("")]
    [InlineData("example.com/a")]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("http://*MUNGED*/x")]
    [InlineData("http://")]
    public void Refuses_what_is_not_a_web_url(string text)
    {
        Assert.False(UrlText.TryRead(text, out _, out _));
    }

    [Fact]
    public void Refuses_overlong_urls()
    {
        Assert.False(UrlText.TryRead("http://example.com/" + new string('a', UrlText.MaxLength), out _, out _));
    }
}
