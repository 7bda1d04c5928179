using System.Net;
using AbuseDesk.Functions.Portal;

namespace AbuseDesk.Functions.Tests.Portal;

/// <summary>
/// The client address the per-address portal limit counts: the peer, unless the peer is a configured proxy; then
/// X-Forwarded-For is walked from its right end (the entry that proxy added) past further configured proxies.
/// </summary>
public sealed class ClientAddressTests
{
    private static IReadOnlyList<Domain.Ownership.IpPrefix> Proxies(string list)
    {
        Assert.True(ForwardedFor.TryParseProxies(list, out var proxies, out var error), error);
        return proxies;
    }

    [Theory]
    [InlineData("127.0.0.1", "198.51.100.7")]
    [InlineData("10.0.0.5", "198.51.100.7, 203.0.113.9")]
    [InlineData("::1", "2001:db8::7")]
    public void Without_configured_proxies_the_header_is_ignored(string peer, string forwarded) =>
        Assert.Equal(peer, ForwardedFor.ClientAddress(IPAddress.Parse(peer), forwarded, Proxies("")));

    [Theory]
    [InlineData("127.0.0.1", "198.51.100.7", "198.51.100.7")]
    [InlineData("127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7")]
    [InlineData("10.1.2.3", "6.6.6.6, 198.51.100.7, 10.9.9.9", "198.51.100.7")]
    [InlineData("127.0.0.1", "198.51.100.7:4711", "198.51.100.7")]
    [InlineData("127.0.0.1", "[2001:db8::7]:4711", "2001:db8::7")]
    [InlineData("127.0.0.1", "2001:db8::7", "2001:db8::7")]
    [InlineData("::ffff:127.0.0.1", "198.51.100.7", "198.51.100.7")]
    public void Behind_configured_proxies_the_rightmost_address_that_is_not_one_is_the_client(string peer, string forwarded, string client) =>
        Assert.Equal(client, ForwardedFor.ClientAddress(IPAddress.Parse(peer), forwarded, Proxies("127.0.0.1, 10.0.0.0/8")));

    [Theory]
    [InlineData("203.0.113.50", "198.51.100.7")]
    [InlineData("::1", "198.51.100.7")]
    public void A_peer_that_is_not_a_configured_proxy_is_the_client_whatever_it_forwards(string peer, string forwarded) =>
        Assert.Equal(peer, ForwardedFor.ClientAddress(IPAddress.Parse(peer), forwarded, Proxies("127.0.0.1, 10.0.0.0/8")));

    [Theory]
    [InlineData("", "127.0.0.1")]
    [InlineData("not-an-address", "127.0.0.1")]
    [InlineData("198.51.100.7, junk", "127.0.0.1")]
    [InlineData("010.0.0.1", "127.0.0.1")]
    public void An_empty_or_unreadable_entry_stops_the_walk_at_the_last_trusted_hop(string forwarded, string client) =>
        Assert.Equal(client, ForwardedFor.ClientAddress(IPAddress.Parse("127.0.0.1"), forwarded, Proxies("127.0.0.1")));

    [Fact]
    public void A_chain_of_nothing_but_proxies_ends_at_its_leftmost_entry()
    {
        Assert.Equal("10.0.0.1", ForwardedFor.ClientAddress(IPAddress.Parse("127.0.0.1"), "10.0.0.1, 10.0.0.2", Proxies("127.0.0.1, 10.0.0.0/8")));
    }

    [Fact]
    public void Without_a_peer_the_address_is_unknown() =>
        Assert.Equal("unknown", ForwardedFor.ClientAddress(null, "198.51.100.7", Proxies("127.0.0.1")));

    [Theory]
    [InlineData("127.0.0.1", 1)]
    [InlineData("127.0.0.1, ::1 10.0.0.0/8;192.168.0.0/16", 4)]
    [InlineData("", 0)]
    [InlineData("  ", 0)]
    public void The_setting_lists_addresses_and_prefixes(string list, int count) =>
        Assert.Equal(count, Proxies(list).Count);

    [Theory]
    [InlineData("localhost")]
    [InlineData("10.0.0.1/8")]
    [InlineData("127.0.0.1, 300.1.1.1")]
    public void A_setting_that_is_not_addresses_or_prefixes_is_refused_naming_the_entry(string list)
    {
        Assert.False(ForwardedFor.TryParseProxies(list, out _, out var error));
        Assert.Contains("TrustedProxies", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_setting_stops_start_up()
    {
        var options = new PortalOptions { RateLimits = new PortalRateLimitOptions { TrustedProxies = "localhost" } };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        Assert.False(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true));
        Assert.Contains(results, r => r.ErrorMessage!.Contains("localhost", StringComparison.Ordinal));
    }
}
