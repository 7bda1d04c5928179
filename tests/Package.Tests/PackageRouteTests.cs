using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AbuseDesk.Package.Tests;

/// <summary>
/// The published executable starts without an installed .NET and answers every route its function.json
/// files declare, from the route's handler: a router miss is a problem+json 404/405 with no detail, while
/// the handlers answer 200, a problem+json with a detail, or (portal) the app's own HTML page.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class PackageRouteTests(PublishedPackage package)
{
    /// <summary>One request per HTTP function and method, with the answer its handler gives without credentials.</summary>
    public static TheoryData<string, string, string, int> Probes => new()
    {
        { "Health", "GET", "/api/health", 200 },
        { "Reports", "POST", "/api/reports", 401 },
        { "Reports", "GET", "/api/reports/no-such-report", 401 },
        { "Ops", "GET", "/api/ops/cases", 401 },
        { "Ops", "POST", "/api/ops/reporters", 401 },
        { "Ops", "PUT", "/api/ops/allocations", 401 },
        { "Ops", "DELETE", "/api/ops/customers/cust-1/allow-flags/flag-1", 401 },
        { "Portal", "GET", "/portal/cases/not-a-token", 404 },
        { "Portal", "POST", "/portal/cases/not-a-token", 404 },
    };

    [Fact]
    public void Probes_cover_every_method_of_every_http_function_and_match_its_route()
    {
        var probes = Probes.Select(p => (Function: (string)p[0], Method: (string)p[1], Path: (string)p[2])).ToList();
        var http = FunctionJson.In(RepoPaths.FunctionsSource).Where(f => f.IsHttp).ToList();

        Assert.NotEmpty(http);
        Assert.Equal(
            http.SelectMany(f => f.Methods.Select(m => $"{f.Name} {m}")).Order(StringComparer.Ordinal),
            probes.Select(p => $"{p.Function} {p.Method}").Order(StringComparer.Ordinal));
        Assert.All(probes, p =>
        {
            var function = http.Single(f => f.Name == p.Function);
            Assert.True(function.RouteMatches(p.Path), $"{p.Path} is not under {function.Name}'s route {function.Route}");
            Assert.DoesNotContain(http.Where(f => f != function), other => other.RouteMatches(p.Path));
        });
    }

    [Theory]
    [MemberData(nameof(Probes))]
    public async Task Http_route_is_answered_by_its_handler(string function, string method, string path, int expected)
    {
        package.EnsureRunning();
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        using var response = await package.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(
            (int)response.StatusCode == expected,
            $"{function}: {method} {path} → {(int)response.StatusCode} {body}\napp log:\n{package.AppLog}");
        AssertFromHandler(response, body);
    }

    [Fact]
    public async Task Health_reports_ok_and_ops_routes_reach_storage_with_the_key()
    {
        package.EnsureRunning();

        var health = JsonNode.Parse(await package.Http.GetStringAsync(new Uri("/api/health", UriKind.Relative)))!;
        Assert.Equal("ok", health["status"]?.GetValue<string>());

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/ops/cases?limit=1", UriKind.Relative));
        request.Headers.Add("x-functions-key", package.OpsKey);
        using var response = await package.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /api/ops/cases with the key → {(int)response.StatusCode} {body}");
        Assert.NotNull(JsonNode.Parse(body)?["cases"]?.AsArray());
    }

    [Fact]
    public async Task Every_non_http_function_has_its_invocation_endpoint()
    {
        package.EnsureRunning();
        var triggered = FunctionJson.In(package.Folder).Where(f => !f.IsHttp).ToList();
        Assert.NotEmpty(triggered);

        foreach (var function in triggered)
        {
            // No "Data": the endpoint rejects the request before running the function, which proves the host's
            // POST /{functionName} reaches this function without side effects.
            using var content = new StringContent("""{"Metadata":{}}""", Encoding.UTF8, "application/json");
            using var response = await package.Http.PostAsync(new Uri($"/{function.Name}", UriKind.Relative), content);
            var body = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"POST /{function.Name} → {(int)response.StatusCode} {body}");
            Assert.Equal("Invalid invocation request", JsonNode.Parse(body)?["title"]?.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_path_outside_every_function_is_a_router_miss()
    {
        package.EnsureRunning();

        // The counter-example for AssertFromHandler: what a route nobody handles looks like.
        using var response = await package.Http.GetAsync(new Uri("/api/no-such-function", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(JsonNode.Parse(body)?["detail"]);
    }

    private static void AssertFromHandler(HttpResponseMessage response, string body)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        switch (mediaType)
        {
            case "application/problem+json":
                var detail = JsonNode.Parse(body)?["detail"]?.GetValue<string>();
                Assert.False(string.IsNullOrWhiteSpace(detail), $"a problem without a detail is the router's, not a handler's: {body}");
                break;
            case "text/html":
                Assert.Contains("AbuseDesk", body, StringComparison.Ordinal);
                Assert.Contains("<!DOCTYPE html>", body, StringComparison.OrdinalIgnoreCase);
                break;
            case "application/json":
                Assert.True(response.IsSuccessStatusCode, body);
                break;
            default:
                Assert.Fail($"unexpected {mediaType} answer: {body}");
                break;
        }
    }
}
