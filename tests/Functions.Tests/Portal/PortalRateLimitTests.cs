using System.Net;

namespace AbuseDesk.Functions.Tests.Portal;

/// <summary>
/// The portal's default limits (60 views and 10 posts a minute per link, 120 requests per address). The client
/// address comes from X-Forwarded-For, which the suite's app trusts from loopback (DeskApp.Configure); without a
/// trusted proxy the header counts for nothing (UntrustedForwardedForTests).
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class PortalRateLimitTests(DeskApp app)
{
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string token, string address)
    {
        using var request = new HttpRequestMessage(method, new Uri($"/portal/cases/{token}", UriKind.Relative));
        request.Headers.Add("X-Forwarded-For", address);
        if (method == HttpMethod.Post)
        {
            request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["action"] = "message", ["text"] = "hello" });
        }

        return await app.Http.SendAsync(request);
    }

    private static async Task AssertFriendly429Async(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var retryAfter = int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Too many requests</h1>", page, StringComparison.Ordinal);
        Assert.Contains("try again", page, StringComparison.Ordinal);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task One_link_gets_ten_posts_a_minute_from_anywhere()
    {
        var token = "v2.k1.rate-post-" + Guid.NewGuid().ToString("N");
        for (var i = 0; i < 10; i++)
        {
            using var allowed = await SendAsync(HttpMethod.Post, token, PortalCases.RandomClientAddress());
            Assert.Equal(HttpStatusCode.NotFound, allowed.StatusCode);
        }

        using var limited = await SendAsync(HttpMethod.Post, token, PortalCases.RandomClientAddress());
        await AssertFriendly429Async(limited);

        // Views of the same link are counted apart from posts.
        using var view = await SendAsync(HttpMethod.Get, token, PortalCases.RandomClientAddress());
        Assert.Equal(HttpStatusCode.NotFound, view.StatusCode);
    }

    [Fact]
    public async Task One_link_gets_sixty_views_a_minute_from_anywhere()
    {
        var token = "v2.k1.rate-get-" + Guid.NewGuid().ToString("N");
        for (var i = 0; i < 60; i++)
        {
            using var allowed = await SendAsync(HttpMethod.Get, token, PortalCases.RandomClientAddress());
            Assert.Equal(HttpStatusCode.NotFound, allowed.StatusCode);
        }

        using var limited = await SendAsync(HttpMethod.Get, token, PortalCases.RandomClientAddress());
        await AssertFriendly429Async(limited);

        using var otherLink = await SendAsync(HttpMethod.Get, token + "x", PortalCases.RandomClientAddress());
        Assert.Equal(HttpStatusCode.NotFound, otherLink.StatusCode);
    }

    [Fact]
    public async Task One_address_gets_120_portal_requests_a_minute_whatever_the_link()
    {
        var address = PortalCases.RandomClientAddress();
        for (var i = 0; i < 120; i++)
        {
            using var allowed = await SendAsync(HttpMethod.Get, $"v2.k1.rate-ip-{i}-{Guid.NewGuid():N}", address);
            Assert.Equal(HttpStatusCode.NotFound, allowed.StatusCode);
        }

        using var limited = await SendAsync(HttpMethod.Get, "v2.k1.rate-ip-last", address);
        await AssertFriendly429Async(limited);

        // Another customer, and the rest of the app, are not affected.
        using var neighbour = await SendAsync(HttpMethod.Get, "v2.k1.rate-ip-last", PortalCases.RandomClientAddress());
        Assert.Equal(HttpStatusCode.NotFound, neighbour.StatusCode);
        using var health = await app.Http.GetAsync(new Uri("/api/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
