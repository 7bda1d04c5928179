using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AbuseDesk.Domain.Portal;

namespace AbuseDesk.Functions.Tests.Portal;

/// <summary>POST /api/ops/cases/{caseId}/links/revoke, and what it does to links old and new.</summary>
[Collection(DeskCollection.Name)]
public sealed class LinkRevocationTests(DeskApp app)
{
    private static readonly byte[] TestKey = Encoding.ASCII.GetBytes("test-signing-key-0123456789abcdef0123");

    private async Task<HttpResponseMessage> RevokeAsync(string caseId, object? body, bool withKey = true)
    {
        using var request = withKey
            ? app.Ops(HttpMethod.Post, $"/api/ops/cases/{caseId}/links/revoke")
            : new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/ops/cases/{caseId}/links/revoke", UriKind.Relative));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await app.Http.SendAsync(request);
    }

    [Fact]
    public async Task Revoking_needs_the_ops_key_an_actor_and_an_existing_case()
    {
        var mailed = await PortalCases.ReportAsync(app, 8);

        using (var anonymous = await RevokeAsync(mailed.CaseId, new { actor = "ops-anna" }, withKey: false))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var nobody = await RevokeAsync(mailed.CaseId, null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, nobody.StatusCode);
            Assert.Equal("application/problem+json", nobody.Content.Headers.ContentType?.MediaType);
        }

        using (var missing = await RevokeAsync("20260101-000000000000", new { actor = "ops-anna" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        // Nothing above withdrew anything.
        Assert.Equal(HttpStatusCode.OK, (await new PortalSession(app).OpenAsync(mailed.Link)).Status);
        var history = (await PortalCases.OpsCaseAsync(app, mailed.CaseId))["history"]!.AsArray();
        Assert.DoesNotContain(history, h => h!["what"]!.GetValue<string>() == "links-revoked");
    }

    [Fact]
    public async Task A_revocation_withdraws_v1_and_v2_links_issued_before_it_and_keeps_the_case_working()
    {
        var mailed = await PortalCases.ReportAsync(app, 9);
        var v1 = $"{app.BaseUrl}portal/cases/{CaseLinkToken.Create(mailed.CaseId, DateTimeOffset.UtcNow.AddDays(1), "k1", TestKey)}";
        var portal = new PortalSession(app);
        Assert.Equal(HttpStatusCode.OK, (await portal.OpenAsync(v1)).Status);

        using var revoked = await RevokeAsync(mailed.CaseId, new { actor = "ops-carl" });
        var body = JsonNode.Parse(await revoked.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal(mailed.CaseId, body["caseId"]!.GetValue<string>());
        Assert.Equal("ops-carl", body["actor"]!.GetValue<string>());

        var old = await portal.OpenAsync(mailed.Link);
        Assert.Equal(HttpStatusCode.Gone, old.Status);
        Assert.Contains("withdrawn", old.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(mailed.CaseId, old.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, (await portal.OpenAsync(v1)).Status);

        // A withdrawn link cannot post either, even with a form it loaded before.
        var post = await portal.SubmitAsync(mailed.Link, new PortalPage(HttpStatusCode.OK, ""), "fixed", "late fix", csrfOverride: "x");
        Assert.Equal(HttpStatusCode.Gone, post.Status);

        // The case itself goes on: a link made after the revocation opens it, and the revocation is in its history.
        var fresh = CaseLinkToken.Create(mailed.CaseId, DateTimeOffset.UtcNow.AddSeconds(1), DateTimeOffset.UtcNow.AddDays(1), "k1", TestKey);
        Assert.Equal(HttpStatusCode.OK, (await portal.OpenAsync($"{app.BaseUrl}portal/cases/{fresh}")).Status);
        var detail = await PortalCases.OpsCaseAsync(app, mailed.CaseId);
        Assert.Equal("notified", detail["status"]!.GetValue<string>());
        Assert.Contains(detail["history"]!.AsArray(), h => h!["what"]!.GetValue<string>() == "links-revoked" && h["actor"]!.GetValue<string>() == "ops-carl");
    }

    [Fact]
    public async Task A_fix_without_a_description_is_answered_with_the_page_and_the_message_at_the_field()
    {
        var mailed = await PortalCases.ReportAsync(app, 10);
        var portal = new PortalSession(app);

        var page = await portal.SubmitAsync(mailed.Link, await portal.OpenAsync(mailed.Link), "fixed", "  \n ");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, page.Status);
        Assert.Contains("id=\"error-fixed\"", page.Html, StringComparison.Ordinal);
        Assert.Contains("aria-describedby=\"error-fixed hint-fixed\"", page.Html, StringComparison.Ordinal);
        Assert.Contains("<strong>Error:</strong> A fix needs a description", page.Html, StringComparison.Ordinal);
        Assert.Equal("notified", (await PortalCases.OpsCaseAsync(app, mailed.CaseId))["status"]!.GetValue<string>());
    }
}
