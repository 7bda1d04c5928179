using System.Net;
using System.Text.Json.Nodes;
using AbuseDesk.Functions.Parsing;
using AbuseDesk.Functions.Storage;
using static AbuseDesk.Functions.Tests.Cases.EvidenceReports;

namespace AbuseDesk.Functions.Tests.Parsing;

/// <summary>
/// Queues deliver at least once, and a report can have several parse messages at once (identical posts while it is
/// still unparsed, a reparse, a lease that ran out). Deliveries that run side by side race for the report's row:
/// the losers read it again and carry on, so the events are attached once and nothing is logged as a failure.
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class ParseDeliveryTests(DeskApp app)
{
    private const int Deliveries = 8;

    [Fact]
    public async Task Deliveries_of_one_report_side_by_side_attach_its_events_once_and_log_no_failure()
    {
        // The app logs warnings and errors only: a delivery that threw is logged as a warning with its exception.
        var logFrom = app.Log.Length;
        using var posted = await app.PostReportAsync(Json(7, 0, 400), "application/json");
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var reportId = JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        var parse = app.Storage.Queue(DeskStorage.ReportsParseQueue);
        for (var i = 1; i < Deliveries; i++)
        {
            await parse.SendMessageAsync(AbuseDesk.Functions.Storage.Json.Serialize(new ParseRequest(reportId)));
        }

        var report = await app.WaitForReportAsync(reportId);
        Assert.Equal("parsed", report["status"]!.GetValue<string>());
        // Every delivery done: none left in the queue, visible or in flight (a failed try would come back).
        await Eventually.Async(async () => (await parse.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, TimeSpan.FromSeconds(120), "the parse queue empty");

        var caseId = report["events"]![0]!["caseId"]!.GetValue<string>();
        var row = await CaseRowAsync(app, caseId);
        Assert.Equal(400, row.EventCount);
        Assert.Equal(Enumerable.Range(0, 400), (await KeptAsync(app, caseId)).Select(e => Index(e.EventId)).Order());
        Assert.Equal(400, report["eventCount"]!.GetValue<int>());

        var log = (await app.LogUpToNowAsync())[logFrom..];
        // The dev host logs a handler that threw as "{Function} failed (try n of m)", and the exception under it.
        Assert.DoesNotContain("ParseReport failed", log, StringComparison.Ordinal);
        Assert.DoesNotContain("UpdateConditionNotSatisfied", log, StringComparison.Ordinal);
    }
}
