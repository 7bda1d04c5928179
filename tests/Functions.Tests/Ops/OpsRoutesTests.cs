using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace AbuseDesk.Functions.Tests.Ops;

[Collection(DeskCollection.Name)]
public sealed class OpsRoutesTests(DeskApp app)
{
    [Theory]
    [InlineData("/api/ops/cases", null)]
    [InlineData("/api/ops/cases", "wrong-key")]
    public async Task Ops_routes_need_the_ops_key(string path, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        using var response = await app.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task The_ops_key_also_works_as_code_query_parameter()
    {
        using var response = await app.Http.GetAsync(new Uri($"/api/ops/cases?code={app.OpsKey}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_bad_allocation_row_is_400_naming_the_line_and_changes_nothing()
    {
        var bad = DeskApp.Allocations + "\n10.0.0.7/8,cust-x,vm-x,x@x.test,2026-01-01\n";
        using var put = app.Ops(HttpMethod.Put, "/api/ops/allocations");
        put.Content = new StringContent(bad, Encoding.UTF8, "text/csv");
        using var response = await app.Http.SendAsync(put);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>();
        var badLine = DeskApp.Allocations.Split('\n').Length + 1;
        Assert.Contains($"line {badLine}:", detail);
        Assert.Contains("host bits", detail);

        // The table in force is unchanged: a report for the test network still routes.
        using var posted = await app.PostReportAsync(ArfSamples.For("203.0.113.210"), "message/rfc822");
        var reportId = JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        var report = await app.WaitForReportAsync(reportId);
        Assert.Equal(1, report["routedCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task Creating_a_reporter_returns_a_key_that_works_once_shown()
    {
        using var create = app.Ops(HttpMethod.Post, "/api/ops/reporters");
        create.Content = JsonContent.Create(new { name = "CERT Example", contactEmail = "cert@cert.test", wantsFeedback = false });
        using var response = await app.Http.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var key = body["key"]!.GetValue<string>();
        Assert.StartsWith("rep-", body["reporterId"]!.GetValue<string>());

        using var posted = await app.PostReportAsync(ArfSamples.For("192.0.2.99"), "message/rfc822", key);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        using var invalid = app.Ops(HttpMethod.Post, "/api/ops/reporters");
        invalid.Content = JsonContent.Create(new { contactEmail = "cert@cert.test" });
        using var refused = await app.Http.SendAsync(invalid);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("name", JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Case_list_filters_and_an_action_the_state_does_not_allow_is_409_with_the_allowed_actions()
    {
        using var posted = await app.PostReportAsync(ArfSamples.For("203.0.113.220"), "message/rfc822");
        var reportId = JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        var report = await app.WaitForReportAsync(reportId);
        var caseId = report["events"]![0]!["caseId"]!.GetValue<string>();
        await Eventually.Async(async () => (await app.OpsJsonAsync($"/api/ops/cases/{caseId}"))["status"]!.GetValue<string>() == "notified", TimeSpan.FromSeconds(30), "the case to be notified");

        var filtered = (await app.OpsJsonAsync("/api/ops/cases?customerId=cust-misc&abuseClass=spam&status=notified"))["cases"]!.AsArray();
        Assert.Contains(filtered, c => c!["caseId"]!.GetValue<string>() == caseId);
        Assert.All(filtered, c => Assert.Equal("cust-misc", c!["customerId"]!.GetValue<string>()));

        using var badFilter = app.Ops(HttpMethod.Get, "/api/ops/cases?status=sleeping");
        using var badFilterResponse = await app.Http.SendAsync(badFilter);
        Assert.Equal(HttpStatusCode.BadRequest, badFilterResponse.StatusCode);

        using var reopen = app.Ops(HttpMethod.Post, $"/api/ops/cases/{caseId}/actions");
        reopen.Content = JsonContent.Create(new { action = "reopen", actor = "alice", reason = "test" });
        using var conflict = await app.Http.SendAsync(reopen);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        var allowed = JsonNode.Parse(await conflict.Content.ReadAsStringAsync())!["allowedActions"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        Assert.Contains("close", allowed);

        using var close = app.Ops(HttpMethod.Post, $"/api/ops/cases/{caseId}/actions");
        close.Content = JsonContent.Create(new { action = "close", actor = "alice", reason = "handled by phone" });
        using var closed = await app.Http.SendAsync(close);
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        var detail = await app.OpsJsonAsync($"/api/ops/cases/{caseId}");
        Assert.Equal("closed", detail["status"]!.GetValue<string>());
        var entry = Assert.Single(detail["history"]!.AsArray(), h => h!["what"]!.GetValue<string>() == "closed");
        Assert.Equal("alice", entry!["actor"]!.GetValue<string>());
        Assert.Equal("handled by phone", entry["detail"]!.GetValue<string>());

        // New events for a case closed within the reopen window (P7D in the test playbooks) reopen it.
        using var again = await app.PostReportAsync(ArfSamples.For("203.0.113.221"), "message/rfc822");
        var againId = JsonNode.Parse(await again.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        var next = await app.WaitForReportAsync(againId);
        Assert.Equal(caseId, next["events"]![0]!["caseId"]!.GetValue<string>());
        // The case's orchestration reopens it on the report's signal.
        await Eventually.Async(async () => (detail = await app.OpsJsonAsync($"/api/ops/cases/{caseId}"))["status"]!.GetValue<string>() == "notified",
            TimeSpan.FromSeconds(30), "the closed case to reopen");
        Assert.Contains(detail["history"]!.AsArray(), h => h!["what"]!.GetValue<string>().StartsWith("reopened", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("lateBy=P99999999D")]
    [InlineData("lateBy=-PT1M")]
    [InlineData("lateBy=soon")]
    [InlineData("runtimeStatus=Sleeping")]
    public async Task A_bad_orchestration_filter_is_400_naming_the_parameter(string query)
    {
        using var request = app.Ops(HttpMethod.Get, "/api/ops/orchestrations?" + query);
        using var response = await app.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains($"'{query[..query.IndexOf('=', StringComparison.Ordinal)]}'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_is_ok_once_storage_answers()
    {
        var body = JsonNode.Parse(await app.Http.GetStringAsync(new Uri("/api/health", UriKind.Relative)))!;
        Assert.Equal("ok", body["status"]!.GetValue<string>());
    }
}
