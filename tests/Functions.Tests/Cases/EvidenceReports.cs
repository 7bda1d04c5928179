using System.Text;
using System.Text.Json.Nodes;
using AbuseDesk.Domain.Cases;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Intake;
using AbuseDesk.Functions.Parsing;
using AbuseDesk.Functions.Storage;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Tests.Cases;

/// <summary>
/// Big reports for the evidence tests, on their own network (2001:db8:61:{n}::/64 → cust-evidence-{n} in DeskApp):
/// event i happened at <see cref="Start"/> + i minutes and says "ev-{i}" followed by hostile markup.
/// </summary>
public static class EvidenceReports
{
    public static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public const string Hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>";

    /// <summary>Events <paramref name="from"/> up to (not including) <paramref name="to"/>; <paramref name="evidence"/> may replace an event's text.</summary>
    public static byte[] Json(int network, int from, int to, Func<int, string>? evidence = null)
    {
        var events = new JsonArray();
        for (var i = from; i < to; i++)
        {
            events.Add(new JsonObject
            {
                ["ip"] = $"2001:db8:61:{network:x}::{i % 1000 + 1:x}",
                ["port"] = 22,
                ["abuseClass"] = "bruteforce",
                ["reportType"] = "ssh-login-attack",
                ["occurredAt"] = Start.AddMinutes(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                ["evidence"] = evidence?.Invoke(i) ?? $"ev-{i} {Hostile}",
            });
        }

        return Encoding.UTF8.GetBytes(new JsonObject { ["events"] = events }.ToJsonString());
    }

    /// <summary>Posts a report and waits until it is parsed; returns its id and the case its events went to.</summary>
    public static async Task<(string ReportId, string CaseId)> PostAsync(DeskApp app, byte[] json)
    {
        using var posted = await app.PostReportAsync(json, "application/json");
        var body = await posted.Content.ReadAsStringAsync();
        Assert.True(posted.IsSuccessStatusCode, $"POST /api/reports → {(int)posted.StatusCode}: {body}");
        var reportId = JsonNode.Parse(body)!["reportId"]!.GetValue<string>();
        var report = await app.WaitForReportAsync(reportId);
        Assert.Equal("parsed", report["status"]!.GetValue<string>());
        return (reportId, report["events"]![0]!["caseId"]!.GetValue<string>());
    }

    public static async Task<CaseEntity> CaseRowAsync(DeskApp app, string caseId) =>
        (await app.Storage.Cases.GetEntityAsync<CaseEntity>(caseId, CaseEntity.Row)).Value;

    /// <summary>The case's evidence rows, as stored.</summary>
    public static async Task<List<EvidenceEntity>> EvidenceRowsAsync(DeskApp app, string caseId)
    {
        var end = KeyRange.After(EvidenceEntity.Prefix);
        var rows = new List<EvidenceEntity>();
        await foreach (var row in app.Storage.Cases.QueryAsync<EvidenceEntity>(
            r => r.PartitionKey == caseId && r.RowKey.CompareTo(EvidenceEntity.Prefix) >= 0 && r.RowKey.CompareTo(end) < 0))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Every event the case's rows hold.</summary>
    public static async Task<List<EvidenceItem>> KeptAsync(DeskApp app, string caseId) =>
        (await EvidenceRowsAsync(app, caseId)).SelectMany(r => CaseEvidence.Unpack(r.Events)).ToList();

    /// <summary>The event index from an event id "{reportId}-{index:D8}".</summary>
    public static int Index(string eventId) => int.Parse(eventId[(eventId.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Marks the report as not yet parsed and queues it again: what a crash before its last save leaves to a redelivery.</summary>
    public static async Task RedeliverAsync(DeskApp app, string reportId)
    {
        var report = (await app.Storage.Reports.GetEntityAsync<ReportEntity>(reportId, ReportEntity.Row)).Value;
        report.Status = ReportStatus.Received;
        report.ChunksDone = 0;
        report.EventCount = 0;
        report.RoutedCount = 0;
        report.UnroutedCount = 0;
        await app.Storage.Reports.UpdateEntityAsync(report, report.ETag, TableUpdateMode.Replace);
        await app.Storage.Queue(DeskStorage.ReportsParseQueue).SendMessageAsync(AbuseDesk.Functions.Storage.Json.Serialize(new ParseRequest(reportId)));
        await app.WaitForReportAsync(reportId);
    }
}
