using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Feedback;
using AbuseDesk.Domain.Ownership;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Cases;

public class ReportedHostsTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    private static readonly Allocation Web = new(
        IpPrefix.TryParse("2001:db8:94::/48", out var prefix, out _) ? prefix : throw new InvalidOperationException(), "cust-a", "web-1", "a@example.net", new DateOnly(2020, 1, 1));

    private static readonly AllocationTable Table = new([Web]);

    private static ReportEvent UrlEvent(string url, string? ip = null, string? evidence = null) =>
        new() { Url = url, Ip = ip, AbuseClass = AbuseClass.Phishing, ReportType = "phishing", Evidence = evidence };

    [Theory]
    [InlineData("https://Login.Example.COM/path?x=1", "login.example.com")]
    [InlineData("http://shop.example.net:8080/", "shop.example.net")]
    [InlineData("http://user:pass@evil.example.org/", "evil.example.org")]
    [InlineData("https://www.example.com./", "www.example.com")]
    [InlineData("https://bücher.example/", "xn--bcher-kva.example")]
    [InlineData("ftp://files.example.com/x", "files.example.com")]
    public void The_host_of_a_URL_only_event_is_looked_up_in_lower_case_ASCII(string url, string host) =>
        Assert.Equal(host, ReportedHosts.HostToResolve(UrlEvent(url)));

    [Theory]
    [InlineData("http://198.51.100.7/x")]        // an IP literal is routed by itself, never looked up
    [InlineData("http://[2001:db8::1]/x")]
    [InlineData("http://localhost/")]             // one label: nobody's public site
    [InlineData("http://intranet/")]
    [InlineData("not a url")]
    [InlineData("http://-bad-.example.com/")]
    public void Nothing_is_looked_up_for_IP_literals_single_labels_or_junk(string url) =>
        Assert.Null(ReportedHosts.HostToResolve(UrlEvent(url)));

    [Fact]
    public void An_event_that_already_names_an_IP_is_not_looked_up() =>
        Assert.Null(ReportedHosts.HostToResolve(UrlEvent("https://phish.example.com/", ip: "2001:db8:94::1")));

    [Fact]
    public void The_answer_routes_by_an_address_inside_the_network_and_says_so_in_the_evidence()
    {
        var answer = new HostAnswer("phish.example.com", ["198.18.0.1", "2001:db8:94::10"], At, null);
        var answers = new Dictionary<string, HostAnswer> { ["phish.example.com"] = answer };

        var routed = ReportedHosts.Route(0, UrlEvent("https://phish.example.com/login", evidence: "reported page"), Table, answers);

        Assert.True(routed.Routed);
        Assert.Same(Web, routed.Allocation);
        Assert.Equal("2001:db8:94::10", routed.Event.Ip);
        Assert.Equal("[DNS 2026-12-07T10:00:00Z] phish.example.com → 198.18.0.1, 2001:db8:94::10\nreported page", routed.Event.Evidence);
    }

    [Fact]
    public void An_answer_outside_the_network_is_unrouted_as_not_ours_with_the_address_kept()
    {
        var answers = new Dictionary<string, HostAnswer> { ["far.example.com"] = new("far.example.com", ["198.18.0.1"], At, null) };

        var routed = ReportedHosts.Route(0, UrlEvent("https://far.example.com/"), Table, answers);

        Assert.False(routed.Routed);
        Assert.Equal("198.18.0.1", routed.Event.Ip);
        Assert.Equal("outside the provider's network", routed.UnroutedReason);
    }

    [Fact]
    public void A_host_that_did_not_resolve_leaves_the_event_unrouted_saying_why()
    {
        var answers = new Dictionary<string, HostAnswer> { ["gone.example.com"] = new("gone.example.com", [], At, "NXDOMAIN") };

        var routed = ReportedHosts.Route(4, UrlEvent("https://gone.example.com/"), Table, answers);

        Assert.False(routed.Routed);
        Assert.Null(routed.Event.Ip);
        Assert.Equal("no IP address: host gone.example.com did not resolve (NXDOMAIN)", routed.UnroutedReason);
        Assert.Equal(UnroutedReasons.HostUnresolved, UnroutedReasons.CodeOf(routed.UnroutedReason));
        Assert.Equal("its host did not resolve", UnroutedReasons.PlainWords(UnroutedReasons.HostUnresolved));
    }

    [Fact]
    public void A_host_not_looked_up_is_routed_as_before()
    {
        var routed = ReportedHosts.Route(0, UrlEvent("https://other.example.com/"), Table, new Dictionary<string, HostAnswer>());

        Assert.Equal("no IP address (URL-only events need a hostname lookup)", routed.UnroutedReason);
        Assert.Equal(UnroutedReasons.NoIp, UnroutedReasons.CodeOf(routed.UnroutedReason));
    }
}
