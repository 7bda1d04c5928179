using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AbuseDesk.Domain.Portal;

namespace AbuseDesk.Functions.Tests.Portal;

[Collection(DeskCollection.Name)]
public sealed class PortalLinkTests(DeskApp app)
{
    private static readonly byte[] TestKey = Encoding.ASCII.GetBytes("test-signing-key-0123456789abcdef0123");

    private async Task<string> NotifiedCaseAsync(string ip)
    {
        using var posted = await app.PostReportAsync(ArfSamples.For(ip), "message/rfc822");
        var reportId = JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        var report = await app.WaitForReportAsync(reportId);
        return report["events"]![0]!["caseId"]!.GetValue<string>();
    }

    [Fact]
    public async Task A_tampered_token_is_404_and_never_opens_another_case()
    {
        var caseId = await NotifiedCaseAsync("198.51.100.200");
        var token = CaseLinkToken.Create(caseId, DateTimeOffset.UtcNow.AddDays(1), "k1", TestKey);
        var portal = new PortalSession(app);

        Assert.Equal(HttpStatusCode.OK, (await portal.OpenAsync($"{app.BaseUrl}portal/cases/{token}")).Status);

        var otherCase = token.Replace(caseId, "20260101-000000000000", StringComparison.Ordinal);
        var page = await portal.OpenAsync($"{app.BaseUrl}portal/cases/{otherCase}");
        Assert.Equal(HttpStatusCode.NotFound, page.Status);
        Assert.DoesNotContain(caseId, page.Html);

        var badSignature = token[..^3] + (token[^3] == 'A' ? "BBB" : "AAA");
        Assert.Equal(HttpStatusCode.NotFound, (await portal.OpenAsync($"{app.BaseUrl}portal/cases/{badSignature}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await portal.OpenAsync($"{app.BaseUrl}portal/cases/garbage")).Status);
    }

    [Fact]
    public async Task An_expired_token_is_410_with_a_page_that_says_what_to_do()
    {
        var caseId = await NotifiedCaseAsync("198.51.100.201");
        var token = CaseLinkToken.Create(caseId, DateTimeOffset.UtcNow.AddMinutes(-1), "k1", TestKey);
        var page = await new PortalSession(app).OpenAsync($"{app.BaseUrl}portal/cases/{token}");
        Assert.Equal(HttpStatusCode.Gone, page.Status);
        Assert.Contains("expired", page.Html);
        Assert.Contains("new link", page.Html);
    }

    [Fact]
    public async Task A_post_without_the_anti_forgery_value_is_refused_and_changes_nothing()
    {
        var caseId = await NotifiedCaseAsync("198.51.100.202");
        var url = $"{app.BaseUrl}portal/cases/{CaseLinkToken.Create(caseId, DateTimeOffset.UtcNow.AddDays(1), "k1", TestKey)}";
        var portal = new PortalSession(app);
        var page = await portal.OpenAsync(url);

        var forged = await portal.SubmitAsync(url, page, "fixed", "forged fix", csrfOverride: "not-the-value");
        Assert.Equal(HttpStatusCode.Forbidden, forged.Status);

        // A foreign site has no cookie: even the right field value is refused without it.
        var stranger = new PortalSession(app);
        var noCookie = await stranger.SubmitAsync(url, page, "fixed", "forged fix");
        Assert.Equal(HttpStatusCode.Forbidden, noCookie.Status);

        var detail = await app.OpsJsonAsync($"/api/ops/cases/{caseId}");
        Assert.NotEqual("resolved", detail["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Portal_pages_carry_the_hardening_headers()
    {
        var caseId = await NotifiedCaseAsync("198.51.100.203");
        var token = CaseLinkToken.Create(caseId, DateTimeOffset.UtcNow.AddDays(1), "k1", TestKey);
        using var response = await app.Http.GetAsync(new Uri($"/portal/cases/{token}", UriKind.Relative));
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
    }
}
