using System.Net;
using System.Net.Sockets;
using AbuseDesk.Functions.Intake;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace AbuseDesk.Functions.Tests.Intake;

/// <summary>
/// DKIM keys from DNS. The first two ask the test zone ./test serves with dnsmasq (scripts/services.sh
/// start_dnsmasq): dkim2026._domainkey.desk.test holds <see cref="PublishedKey"/>, split into two TXT strings as a
/// 2048-bit key must be; any other name in desk.test is NXDOMAIN. The rest need no server.
/// </summary>
public sealed class DkimKeysFromDnsTests
{
    /// <summary>The public half only; the private half was thrown away: nothing is signed with it.</summary>
    private const string PublishedKey = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuT+4QddWj6u2YF4V5Q95VvKxXT41PrK/PuZKg/LUrQbu4K9gx/TEBil7XzuKURcBxjaU1ge/P+oDdVk4fzNQb+sw1rSv8FtayOOklCvOeKZlEmDzC2OD6adSRu+8fwC6H0dLC8dKpK8aQjkHNz1vzUULIZe1qXk5XSCt/EiW1SqsbL+DafoKCUeNR/cOl+7jeL9isfTXvVTK4trYIse47lq+JyKOGi6/+KP6O8Yt9525o+7AOlRT4t0BvgktXZyH1h4UMlK8P4CGydL3HPKPohNKFz83/0+eyvWFZDTlh0aHZ90tKk8x6R6OSOEnbUKGh19mT+Lg0gj3pSNyslSj+QIDAQAB";

    [Fact]
    public async Task A_key_published_in_two_TXT_strings_is_joined_and_read_and_not_kept_past_its_TTL()
    {
        var keys = Keys(TestZone(), timeoutMilliseconds: 1000);

        var key = Assert.IsType<RsaKeyParameters>(await keys.LocatePublicKeyAsync("dns/txt", "desk.test", "dkim2026"));

        var expected = (RsaKeyParameters)PublicKeyFactory.CreateKey(Convert.FromBase64String(PublishedKey));
        Assert.Equal(expected.Modulus, key.Modulus);
        Assert.Equal(expected.Exponent, key.Exponent);
        Assert.Equal(2048, key.Modulus.BitLength);
        // dnsmasq serves its own records with TTL 0, which says: do not keep. Asked again (names are not
        // case-sensitive), the key is asked for again.
        var again = Assert.IsType<RsaKeyParameters>(await keys.LocatePublicKeyAsync("dns/txt", "DESK.test.", "DKIM2026"));
        Assert.NotSame(key, again);
        Assert.Equal(key.Modulus, again.Modulus);
        Assert.Equal(0, keys.CachedCount);
    }

    [Fact]
    public async Task A_selector_the_zone_does_not_have_is_a_permanent_failure()
    {
        var keys = Keys(TestZone(), timeoutMilliseconds: 1000);

        var error = await Assert.ThrowsAsync<DkimKeyUnavailableException>(() => keys.LocatePublicKeyAsync("dns/txt", "desk.test", "retired2019"));

        Assert.False(error.Temporary);
        Assert.Equal("no key record (NXDOMAIN)", error.Message);
        Assert.Equal(0, keys.CachedCount);
    }

    [Fact]
    public async Task A_server_that_never_answers_is_a_temporary_failure()
    {
        // A bound UDP socket that reads nothing: the queries go unanswered, not refused.
        using var silent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var keys = Keys("127.0.0.1:" + ((IPEndPoint)silent.Client.LocalEndPoint!).Port, timeoutMilliseconds: 200);

        var error = await Assert.ThrowsAsync<DkimKeyUnavailableException>(() => keys.LocatePublicKeyAsync("dns/txt", "desk.test", "dkim2026"));

        Assert.True(error.Temporary);
        Assert.Equal("key lookup timed out", error.Message);
    }

    [Theory]
    [InlineData("dns/txt", "exa mple.org", "sel1")]
    [InlineData("dns/txt", "example..org", "sel1")]
    [InlineData("dns/txt", "example.org", "")]
    [InlineData("dns/txt", "", "sel1")]
    [InlineData("dns/txt", "bücher.example", "sel1")]
    [InlineData("dns/txt", "example.org", "sel1;rm -rf")]
    [InlineData("https/well-known", "example.org", "sel1")]
    public async Task What_DNS_cannot_be_asked_about_is_a_permanent_failure_without_asking(string methods, string domain, string selector)
    {
        // No server at all: asking would time out and be temporary instead.
        var keys = Keys("127.0.0.1:9", timeoutMilliseconds: 100);

        var error = await Assert.ThrowsAsync<DkimKeyUnavailableException>(() => keys.LocatePublicKeyAsync(methods, domain, selector));

        Assert.False(error.Temporary);
    }

    [Fact]
    public async Task The_cache_holds_at_most_a_thousand_keys_and_lets_the_soonest_to_expire_go()
    {
        var keys = Keys("127.0.0.1:9", timeoutMilliseconds: 100);
        var key = PublicKeyFactory.CreateKey(Convert.FromBase64String(PublishedKey));

        keys.Remember("first._domainkey.example.org", key, TimeSpan.FromSeconds(10));
        for (var i = 0; i < DkimKeysFromDns.MaxCachedKeys + 500; i++)
        {
            keys.Remember($"s{i}._domainkey.example.org", key, TimeSpan.FromSeconds(60));
        }

        Assert.Equal(DkimKeysFromDns.MaxCachedKeys, keys.CachedCount);
        // The newest is answered from the cache; the one that would have expired first had to go, and asking the
        // server for it (there is none) fails.
        Assert.Same(key, await keys.LocatePublicKeyAsync("dns/txt", "example.org", $"s{DkimKeysFromDns.MaxCachedKeys + 499}"));
        var gone = await Assert.ThrowsAsync<DkimKeyUnavailableException>(() => keys.LocatePublicKeyAsync("dns/txt", "example.org", "first"));
        Assert.True(gone.Temporary);
    }

    [Fact]
    public async Task The_first_of_several_q_methods_DNS_serves_is_enough()
    {
        var keys = Keys(TestZone(), timeoutMilliseconds: 1000);

        var key = await keys.LocatePublicKeyAsync("x-future/method:dns/txt", "desk.test", "dkim2026");

        Assert.IsType<RsaKeyParameters>(key);
    }

    private static DkimKeysFromDns Keys(string server, int timeoutMilliseconds) =>
        new(Options.Create(new AbuseDeskOptions { Dns = new DnsOptions { Servers = [server], TimeoutMilliseconds = timeoutMilliseconds } }),
            TimeProvider.System, NullLogger<DkimKeysFromDns>.Instance);

    private static string TestZone() =>
        "127.0.0.1:" + (Environment.GetEnvironmentVariable("ABUSEDESK_TEST_DNS_PORT")
            ?? throw new InvalidOperationException("ABUSEDESK_TEST_DNS_PORT is not set: run the tests with ./test"));
}
