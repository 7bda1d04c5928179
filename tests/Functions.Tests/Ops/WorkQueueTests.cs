using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AbuseDesk.Functions.Tests.Ops;

[Collection(DeskCollection.Name)]
public sealed class WorkQueueTests(DeskApp app)
{
    [Fact]
    public async Task An_escalated_case_is_in_the_escalated_queue()
    {
        // ddos escalates at a 3-second deadline in the test playbooks.
        var caseId = await app.OpenCaseAsync("2001:db8:72::7", "ddos", "ddos-participant");
        await Eventually.Async(async () => (await app.OpsJsonAsync($"/api/ops/cases/{caseId}"))["status"]!.GetValue<string>() == "escalated",
            TimeSpan.FromSeconds(30), "the ddos case to escalate");

        var found = await app.FindInPagesAsync("/api/ops/queues/escalated?limit=10", "cases", c => c["caseId"]!.GetValue<string>() == caseId);
        Assert.NotNull(found);
        Assert.Equal("cust-ops-queue", found["customerId"]!.GetValue<string>());
        var summary = await app.OpsJsonAsync("/api/ops/queues");
        Assert.True(summary["work"]!["escalated"]!.GetValue<int>() >= 1);

        var disputed = await app.OpsJsonAsync("/api/ops/queues/disputed");
        Assert.All(disputed["cases"]!.AsArray(), c => Assert.Equal("disputed", c!["status"]!.GetValue<string>()));
        var pending = await app.OpsJsonAsync("/api/ops/queues/suspension-pending");
        Assert.All(pending["cases"]!.AsArray(), c => Assert.Equal("suspension-pending", c!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_failed_report_is_in_the_failed_reports_queue_with_its_error()
    {
        using var posted = await app.PostReportAsync(Encoding.UTF8.GetBytes($$"""{"nonsense":"{{Guid.NewGuid():N}}"}"""), "application/json");
        var reportId = JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        Assert.Equal("failed", (await app.WaitForReportAsync(reportId))["status"]!.GetValue<string>());

        var found = await app.FindInPagesAsync("/api/ops/queues/failed-reports?limit=5", "reports", r => r["reportId"]!.GetValue<string>() == reportId);
        Assert.NotNull(found);
        Assert.Equal(app.ReporterId, found["reporterId"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(found["error"]!.GetValue<string>()));
        Assert.NotNull(found["receivedAt"]);
        Assert.True((await app.OpsJsonAsync("/api/ops/queues"))["work"]!["failed-reports"]!.GetValue<int>() >= 1);
    }

    [Fact]
    public async Task Unrouted_events_are_counted_by_reporter_and_reason()
    {
        var (created, reporter) = await app.SendAsync(HttpMethod.Post, "/api/ops/reporters", new { name = "Unrouted sender", wantsFeedback = false, actor = "alice" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = reporter!["key"]!.GetValue<string>();
        var reporterId = reporter["reporterId"]!.GetValue<string>();
        for (var i = 0; i < 2; i++)
        {
            await app.WaitForReportAsync(await app.PostEventAsync($"192.0.2.{60 + i}", "scanning", "scan-unrouted", key));
        }

        var view = await app.OpsJsonAsync("/api/ops/queues/unrouted?since=PT1H");
        var mine = Assert.Single(view["reporters"]!.AsArray(), r => r!["reporterId"]!.GetValue<string>() == reporterId);
        Assert.Equal(2, mine!["reports"]!.GetValue<int>());
        Assert.Equal(2, mine["unroutedEvents"]!.GetValue<long>());
        var reason = Assert.Single(mine["reasons"]!.AsArray());
        Assert.Equal("outside the provider's network", reason!["reason"]!.GetValue<string>());
        Assert.Equal(2, reason["events"]!.GetValue<long>());

        var (bad, problem) = await app.SendAsync(HttpMethod.Get, "/api/ops/queues/unrouted?since=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("'since'", problem.Detail());
    }

    [Fact]
    public async Task The_summary_counts_every_storage_queue_and_an_unknown_queue_is_404()
    {
        var summary = await app.OpsJsonAsync("/api/ops/queues");
        foreach (var queue in AbuseDesk.Functions.Storage.DeskStorage.QueueNames)
        {
            Assert.NotNull(summary["storageQueues"]![queue]);
        }

        var (response, _) = await app.SendAsync(HttpMethod.Get, "/api/ops/queues/sleeping");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var (badLimit, problem) = await app.SendAsync(HttpMethod.Get, "/api/ops/queues/failed-reports?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.Contains("'limit'", problem.Detail());
    }
}
