using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AbuseDesk.Functions.Tests.Parsing;

/// <summary>
/// URL-only complaints route by their host's DNS answer, from the test zone ./test serves with dnsmasq
/// (phish.desk.test → 2001:db8:94::9, cust-dns; multi.desk.test → one outside address and 2001:db8:94::10;
/// any other name in desk.test → NXDOMAIN).
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class UrlHostTests(DeskApp app)
{
    [Fact]
    public async Task A_phishing_URL_is_routed_to_the_customer_its_host_resolves_to_with_the_answer_as_evidence()
    {
        var report = await PostAsync(
            """{"url":"https://phish.desk.test/login/verify.php","abuseClass":"phishing","reportType":"phishing-site","occurredAt":"2026-12-07T09:00:00Z","evidence":"credential form"}""",
            """{"url":"http://MULTI.desk.test:8080/x","abuseClass":"phishing","reportType":"phishing-site","occurredAt":"2026-12-07T09:00:00Z"}""",
            """{"url":"https://gone.desk.test/","abuseClass":"phishing","reportType":"phishing-site","occurredAt":"2026-12-07T09:00:00Z"}""",
            """{"url":"https://outside.desk.test/","abuseClass":"phishing","reportType":"phishing-site","occurredAt":"2026-12-07T09:00:00Z"}""");

        Assert.Equal("parsed", report["status"]!.GetValue<string>());
        Assert.Equal(2, report["routedCount"]!.GetValue<int>());
        var events = report["events"]!.AsArray();

        var phish = events.Single(e => e!["url"]!.GetValue<string>().Contains("phish.desk.test", StringComparison.Ordinal))!;
        Assert.Equal("2001:db8:94::9", phish["ip"]!.GetValue<string>());
        var caseId = phish["caseId"]!.GetValue<string>();

        // The answers and their time are kept on the report, and the event's evidence says it too.
        var hosts = report["hosts"]!.AsArray().ToDictionary(h => h!["host"]!.GetValue<string>());
        Assert.Equal(["gone.desk.test", "multi.desk.test", "outside.desk.test", "phish.desk.test"], hosts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["2001:db8:94::9"], hosts["phish.desk.test"]!["addresses"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal("NXDOMAIN", hosts["gone.desk.test"]!["error"]!.GetValue<string>());
        var resolvedAt = hosts["phish.desk.test"]!["resolvedAt"]!.GetValue<DateTimeOffset>();
        Assert.InRange(resolvedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        var caseEvents = (await app.OpsJsonAsync($"/api/ops/cases/{caseId}"))["events"]!.AsArray();
        var evidence = caseEvents.Single(e => e!["url"]!.GetValue<string>().Contains("phish.desk.test", StringComparison.Ordinal))!["evidence"]!.GetValue<string>();
        Assert.Matches(@"^\[DNS \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\] phish\.desk\.test → 2001:db8:94::9\ncredential form$", evidence);

        // Of several addresses, the one in the provider's network routes it.
        var multi = events.Single(e => e!["url"]!.GetValue<string>().Contains("multi.desk.test", StringComparison.OrdinalIgnoreCase))!;
        Assert.Equal("2001:db8:94::10", multi["ip"]!.GetValue<string>());

        var gone = events.Single(e => e!["url"]!.GetValue<string>().Contains("gone.desk.test", StringComparison.Ordinal))!;
        Assert.Null(gone["caseId"]);
        Assert.Equal("no IP address: host gone.desk.test did not resolve (NXDOMAIN)", gone["unroutedReason"]!.GetValue<string>());

        var outside = events.Single(e => e!["url"]!.GetValue<string>().Contains("outside.desk.test", StringComparison.Ordinal))!;
        Assert.Equal("2001:db8:ffff::7", outside["ip"]!.GetValue<string>());
        Assert.Equal("outside the provider's network", outside["unroutedReason"]!.GetValue<string>());

        var @case = Assert.Single(await app.CasesAsync("cust-dns"));
        Assert.Equal(2, @case!["eventCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_reparse_routes_by_a_fresh_answer_and_adds_nothing_twice()
    {
        var report = await PostAsync(
            """{"url":"https://phish.desk.test/reparse","abuseClass":"malware","reportType":"malware-url","occurredAt":"2026-12-07T09:00:00Z"}""");
        var reportId = report["reportId"]!.GetValue<string>();

        using var reparse = app.Ops(HttpMethod.Post, $"/api/ops/reports/{reportId}/reparse?actor=alice");
        using var response = await app.Http.SendAsync(reparse);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var again = await app.WaitForReportAsync(reportId);

        Assert.Equal("parsed", again["status"]!.GetValue<string>());
        Assert.Equal("2001:db8:94::9", Assert.Single(again["events"]!.AsArray())!["ip"]!.GetValue<string>());
        var malware = (await app.CasesAsync("cust-dns")).Where(c => c!["abuseClass"]!.GetValue<string>() == "malware").ToList();
        Assert.Equal(1, Assert.Single(malware)!["eventCount"]!.GetValue<int>());
    }

    private async Task<JsonNode> PostAsync(params string[] events)
    {
        using var posted = await app.PostReportAsync(Encoding.UTF8.GetBytes($$"""{"events":[{{string.Join(",", events)}}]}"""), "application/json");
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        return await app.WaitForReportAsync(JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>());
    }
}
