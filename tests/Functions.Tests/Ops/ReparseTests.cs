using System.Net;
using System.Text.Json.Nodes;

namespace AbuseDesk.Functions.Tests.Ops;

[Collection(DeskCollection.Name)]
public sealed class ReparseTests(DeskApp app)
{
    [Fact]
    public async Task Reparsing_a_report_is_idempotent_no_duplicate_events_or_cases()
    {
        var json = """{"events":[{"ip":"203.0.113.230","abuseClass":"phishing","reportType":"phish-url","url":"http://203.0.113.230/login","occurredAt":"2026-11-20T10:00:00Z"},{"ip":"203.0.113.231","abuseClass":"phishing","reportType":"phish-url","occurredAt":"2026-11-20T10:01:00Z"}]}""";
        using var posted = await app.PostReportAsync(System.Text.Encoding.UTF8.GetBytes(json), "application/json");
        var reportId = JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        var before = await app.WaitForReportAsync(reportId);
        var caseId = before["events"]![0]!["caseId"]!.GetValue<string>();
        var caseBefore = await app.OpsJsonAsync($"/api/ops/cases/{caseId}");
        Assert.Equal(2, caseBefore["eventCount"]!.GetValue<int>());

        for (var i = 0; i < 2; i++)
        {
            using var reparse = app.Ops(HttpMethod.Post, $"/api/ops/reports/{reportId}/reparse?actor=alice&reason=parser%20fix");
            using var response = await app.Http.SendAsync(reparse);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var after = await app.WaitForReportAsync(reportId);
            Assert.Equal("parsed", after["status"]!.GetValue<string>());
            Assert.Equal(2, after["events"]!.AsArray().Count);
            Assert.All(after["events"]!.AsArray(), e => Assert.Equal(caseId, e!["caseId"]!.GetValue<string>()));
        }

        var caseAfter = await app.OpsJsonAsync($"/api/ops/cases/{caseId}");
        Assert.Equal(2, caseAfter["eventCount"]!.GetValue<int>());
        Assert.Equal(2, caseAfter["events"]!.AsArray().Count);
        var phishing = (await app.OpsJsonAsync("/api/ops/cases?customerId=cust-misc&abuseClass=phishing"))["cases"]!.AsArray();
        Assert.Single(phishing);

        var audit = await app.OpsJsonAsync($"/api/ops/audit?target={reportId}");
        Assert.Equal(2, audit["entries"]!.AsArray().Count(e => e!["action"]!.GetValue<string>() == "report-reparse" && e["actor"]!.GetValue<string>() == "alice"));

        using var missing = app.Ops(HttpMethod.Post, "/api/ops/reports/nosuchreport/reparse?actor=alice");
        using var notFound = await app.Http.SendAsync(missing);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
    }
}
