using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AbuseDesk.Functions.Tests.Ops;

[Collection(DeskCollection.Name)]
public sealed class ReporterOpsTests(DeskApp app)
{
    private async Task<(string ReporterId, string Key)> CreateAsync(string name)
    {
        var (response, body) = await app.SendAsync(HttpMethod.Post, "/api/ops/reporters", new { name, contactEmail = "abuse@cert.test", wantsFeedback = true, actor = "alice" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (body!["reporterId"]!.GetValue<string>(), body["key"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_list_shows_reporters_but_never_a_key()
    {
        var (reporterId, key) = await CreateAsync("CERT Listing");
        using var request = app.Ops(HttpMethod.Get, "/api/ops/reporters");
        using var response = await app.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var mine = Assert.Single(JsonNode.Parse(text)!["reporters"]!.AsArray(), r => r!["reporterId"]!.GetValue<string>() == reporterId);
        Assert.Equal("CERT Listing", mine!["name"]!.GetValue<string>());
        Assert.True(mine["wantsFeedback"]!.GetValue<bool>());
        Assert.False(mine["revoked"]!.GetValue<bool>());
        Assert.NotNull(mine["createdAt"]);
        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        Assert.DoesNotContain(key[3..], text, StringComparison.Ordinal);
        Assert.DoesNotContain("keyHash", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key))), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_key_gets_401_at_once()
    {
        var (reporterId, key) = await CreateAsync("CERT Leaky");
        using (var before = await app.PostReportAsync(ArfSamples.For("192.0.2.77"), "message/rfc822", key))
        {
            Assert.Equal(HttpStatusCode.Accepted, before.StatusCode);
        }

        var (revoked, body) = await app.SendAsync(HttpMethod.Post, $"/api/ops/reporters/{reporterId}/revoke", new { actor = "alice", reason = "key posted in a public repo" });
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.True(body!["revoked"]!.GetValue<bool>());
        Assert.Equal("alice", body["revokedBy"]!.GetValue<string>());
        Assert.Equal("key posted in a public repo", body["revokeReason"]!.GetValue<string>());

        using (var after = await app.PostReportAsync(ArfSamples.For("192.0.2.78"), "message/rfc822", key))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        }

        // Revoking again is harmless and keeps the first record; other reporters' keys still work.
        var (again, repeated) = await app.SendAsync(HttpMethod.Post, $"/api/ops/reporters/{reporterId}/revoke", new { actor = "bob", reason = "again" });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("alice", repeated!["revokedBy"]!.GetValue<string>());
        using (var other = await app.PostReportAsync(ArfSamples.For("192.0.2.79"), "message/rfc822"))
        {
            Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
        }

        var revokedOnly = (await app.OpsJsonAsync("/api/ops/reporters?revoked=true"))["reporters"]!.AsArray();
        Assert.Contains(revokedOnly, r => r!["reporterId"]!.GetValue<string>() == reporterId);
        Assert.All(revokedOnly, r => Assert.True(r!["revoked"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task The_feedback_preference_can_be_changed()
    {
        var (reporterId, _) = await CreateAsync("CERT Quiet");
        var (updated, body) = await app.SendAsync(HttpMethod.Put, $"/api/ops/reporters/{reporterId}", new { wantsFeedback = false, actor = "alice", reason = "asked us by mail" });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.False(body!["wantsFeedback"]!.GetValue<bool>());
        Assert.False((await app.OpsJsonAsync($"/api/ops/reporters/{reporterId}"))["wantsFeedback"]!.GetValue<bool>());

        var (again, _) = await app.SendAsync(HttpMethod.Put, $"/api/ops/reporters/{reporterId}", new { wantsFeedback = true, actor = "alice" });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True((await app.OpsJsonAsync($"/api/ops/reporters/{reporterId}"))["wantsFeedback"]!.GetValue<bool>());

        var (missingField, problem) = await app.SendAsync(HttpMethod.Put, $"/api/ops/reporters/{reporterId}", new { actor = "alice" });
        Assert.Equal(HttpStatusCode.BadRequest, missingField.StatusCode);
        Assert.Contains("'wantsFeedback'", problem.Detail());
    }

    [Fact]
    public async Task An_unknown_reporter_is_404()
    {
        var (revoke, _) = await app.SendAsync(HttpMethod.Post, "/api/ops/reporters/rep-000000000000/revoke", new { actor = "alice", reason = "x" });
        Assert.Equal(HttpStatusCode.NotFound, revoke.StatusCode);
        var (update, _) = await app.SendAsync(HttpMethod.Put, "/api/ops/reporters/rep-000000000000", new { actor = "alice", wantsFeedback = true });
        Assert.Equal(HttpStatusCode.NotFound, update.StatusCode);
    }
}
