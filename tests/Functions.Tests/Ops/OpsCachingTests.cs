using System.Net;

namespace AbuseDesk.Functions.Tests.Ops;

/// <summary>Ops answers carry customers' and reporters' contact addresses: none of them may be cached anywhere.</summary>
[Collection(DeskCollection.Name)]
public sealed class OpsCachingTests(DeskApp app)
{
    [Theory]
    [InlineData("/api/ops/cases?limit=5", HttpStatusCode.OK)]
    [InlineData("/api/ops/customers?limit=5", HttpStatusCode.OK)]
    [InlineData("/api/ops/customers/cust-ops-a", HttpStatusCode.OK)]
    [InlineData("/api/ops/reporters", HttpStatusCode.OK)]
    [InlineData("/api/ops/allocations?limit=5", HttpStatusCode.OK)]
    [InlineData("/api/ops/cases/no-such-case", HttpStatusCode.NotFound)]
    public async Task Ops_json_is_no_store(string path, HttpStatusCode expected)
    {
        using var request = app.Ops(HttpMethod.Get, path);
        using var response = await app.Http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, $"{path}: Cache-Control '{response.Headers.CacheControl}'");
    }

    [Fact]
    public async Task The_refusal_without_the_ops_key_is_no_store_too()
    {
        using var response = await app.Http.GetAsync(new Uri("/api/ops/reporters", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
    }
}
