using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AbuseDesk.Functions.Tests.Ops;

/// <summary>Every ops action that changes something says who did it; without an actor it is refused, naming the field.</summary>
[Collection(DeskCollection.Name)]
public sealed class OpsActorTests(DeskApp app)
{
    [Theory]
    [InlineData("POST", "/api/ops/cases/{case}/actions", """{"action":"message","reason":"hello"}""")]
    [InlineData("POST", "/api/ops/reports/{report}/reparse", null)]
    [InlineData("POST", "/api/ops/breaker/resume", """{"reason":"checked"}""")]
    [InlineData("POST", "/api/ops/customers/cust-ops-a/allow-flags", """{"reason":"expected","expiresAt":"2099-01-01T00:00:00Z"}""")]
    [InlineData("DELETE", "/api/ops/customers/cust-ops-a/allow-flags/f-000000000000", null)]
    [InlineData("POST", "/api/ops/reporters/{reporter}/revoke", """{"reason":"leaked"}""")]
    [InlineData("PUT", "/api/ops/reporters/{reporter}", """{"wantsFeedback":false}""")]
    [InlineData("POST", "/api/ops/poison/reports-parse/00000000-0000-0000-0000-000000000000/requeue", null)]
    public async Task A_mutating_ops_route_without_an_actor_is_400_naming_actor(string method, string template, string? json)
    {
        var reportId = template.Contains("{report}", StringComparison.Ordinal)
            ? (await app.WaitForReportAsync(await app.PostEventAsync("192.0.2.201", "spam", "ops-actor-test")))["reportId"]!.GetValue<string>()
            : "";
        var path = template
            .Replace("{report}", reportId, StringComparison.Ordinal)
            .Replace("{reporter}", app.ReporterId, StringComparison.Ordinal)
            .Replace("{case}", "c-unknown", StringComparison.Ordinal);

        using var request = app.Ops(new HttpMethod(method), path);
        // App Service authentication is off in the tests: a client-sent principal header must not count as an actor.
        request.Headers.Add("X-MS-CLIENT-PRINCIPAL-NAME", "mallory@example.test");
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await app.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("'actor'", JsonNode.Parse(text).Detail());
    }

    [Fact]
    public async Task Revoking_needs_a_reason_too()
    {
        var (response, body) = await app.SendAsync(HttpMethod.Post, $"/api/ops/reporters/{app.ReporterId}/revoke", new { actor = "alice" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'reason'", body.Detail());
    }

    [Fact]
    public async Task The_actor_of_a_case_action_is_recorded_in_its_history()
    {
        var caseId = await app.OpenCaseAsync("2001:db8:70::31", "bruteforce", "ssh-login-attack");
        var (response, _) = await app.SendAsync(HttpMethod.Post, $"/api/ops/cases/{caseId}/actions", new { action = "message", actor = "  dora  ", reason = "please check the SSH logs" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var history = (await app.OpsJsonAsync($"/api/ops/cases/{caseId}"))["history"]!.AsArray();
        var entry = Assert.Single(history, h => h!["what"]!.GetValue<string>() == "ops-message");
        Assert.Equal("dora", entry!["actor"]!.GetValue<string>());
        Assert.Equal("please check the SSH logs", entry["detail"]!.GetValue<string>());
    }
}
