using System.Net;
using System.Text.Json.Nodes;

namespace AbuseDesk.Functions.Tests.Ops;

[Collection(DeskCollection.Name)]
public sealed class CustomerOpsTests(DeskApp app)
{
    [Fact]
    public async Task A_customer_shows_resources_allow_flags_and_open_cases()
    {
        var caseId = await app.OpenCaseAsync("2001:db8:70:1::5", "bruteforce", "ssh-login-attack");
        var expires = DateTimeOffset.UtcNow.AddDays(30);
        var (flagged, flag) = await app.SendAsync(HttpMethod.Post, "/api/ops/customers/cust-ops-a/allow-flags",
            new { reason = "load tests this month", actor = "alice", expiresAt = expires, classes = new[] { "ddos" } });
        Assert.Equal(HttpStatusCode.Created, flagged.StatusCode);

        var customer = await app.OpsJsonAsync("/api/ops/customers/cust-ops-a");

        Assert.Equal("ops-a@customer.test", customer["contactEmail"]!.GetValue<string>());
        Assert.Equal("2026-10-01", customer["customerSince"]!.GetValue<string>());
        Assert.Equal("en", customer["language"]!.GetValue<string>());
        Assert.Equal(["2001:db8:70:1::/64", "2001:db8:70::/48"], customer["resources"]!.AsArray().Select(r => r!["cidr"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var shown = Assert.Single(customer["allowFlags"]!.AsArray(), f => f!["flagId"]!.GetValue<string>() == flag!["flagId"]!.GetValue<string>());
        Assert.Equal("alice", shown!["setBy"]!.GetValue<string>());
        Assert.Equal(expires.ToUnixTimeSeconds(), shown["expiresAt"]!.GetValue<DateTimeOffset>().ToUnixTimeSeconds());
        var open = Assert.Single(customer["openCases"]!.AsArray(), c => c!["caseId"]!.GetValue<string>() == caseId);
        Assert.Equal("notified", open!["status"]!.GetValue<string>());

        var listed = await app.FindInPagesAsync("/api/ops/customers?limit=5", "customers", c => c["customerId"]!.GetValue<string>() == "cust-ops-a");
        Assert.NotNull(listed);
        Assert.Equal(2, listed["resources"]!.GetValue<int>());
        Assert.True(listed["openCases"]!.GetValue<int>() >= 1);
        Assert.True(listed["activeAllowFlags"]!.GetValue<int>() >= 1);
        Assert.Equal("2026-10-01", listed["customerSince"]!.GetValue<string>());

        // Removing the flag needs an actor, is audited, and the customer no longer shows it.
        var (removed, _) = await app.SendAsync(HttpMethod.Delete, $"/api/ops/customers/cust-ops-a/allow-flags/{flag!["flagId"]}?actor=bob&reason=tests%20over");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        customer = await app.OpsJsonAsync("/api/ops/customers/cust-ops-a");
        Assert.DoesNotContain(customer["allowFlags"]!.AsArray(), f => f!["flagId"]!.GetValue<string>() == flag["flagId"]!.GetValue<string>());
        var audit = await app.OpsJsonAsync($"/api/ops/audit?target=cust-ops-a/{flag["flagId"]}");
        Assert.Equal("bob", audit["entries"]![0]!["actor"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_customer_list_pages_in_customer_order()
    {
        var first = await app.OpsJsonAsync("/api/ops/customers?limit=3");
        var ids = first["customers"]!.AsArray().Select(c => c!["customerId"]!.GetValue<string>()).ToList();
        Assert.Equal(3, ids.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        var next = await app.OpsJsonAsync($"/api/ops/customers?limit=3&continuation={first["continuation"]}");
        Assert.True(string.CompareOrdinal(next["customers"]![0]!["customerId"]!.GetValue<string>(), ids[^1]) > 0);
    }

    [Fact]
    public async Task An_unknown_customer_is_404_problem()
    {
        var (response, problem) = await app.SendAsync(HttpMethod.Get, "/api/ops/customers/cust-nobody");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("cust-nobody", problem.Detail());

        var (missingFlag, _) = await app.SendAsync(HttpMethod.Delete, "/api/ops/customers/cust-ops-a/allow-flags/f-nosuchflag00?actor=bob");
        Assert.Equal(HttpStatusCode.NotFound, missingFlag.StatusCode);
    }
}
