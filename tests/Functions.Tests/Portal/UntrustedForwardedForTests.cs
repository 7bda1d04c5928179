using System.Net;

namespace AbuseDesk.Functions.Tests.Portal;

/// <summary>
/// With the settings the app ships with no proxy is trusted, so X-Forwarded-For is whatever the client wrote: a
/// client rotating it from 127.0.0.1 is still one client address, and meets the per-address limit (120 a minute).
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class UntrustedForwardedForTests(StockDeskApp stock) : IClassFixture<StockDeskApp>
{
    [Fact]
    public async Task Rotating_X_Forwarded_For_from_loopback_still_meets_the_per_address_limit()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 121; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/portal/cases/v2.k1.xff-{i}-{Guid.NewGuid():N}", UriKind.Relative));
            request.Headers.Add("X-Forwarded-For", PortalCases.RandomClientAddress());
            using var response = await stock.Http.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        // Every link is new (no per-link limit applies): only the per-address limit can refuse, and it does.
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.All(statuses.Take(100), s => Assert.Equal(HttpStatusCode.NotFound, s));
    }
}
