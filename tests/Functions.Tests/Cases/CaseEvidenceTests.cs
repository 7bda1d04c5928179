using System.Net;
using AbuseDesk.Domain.Cases;
using static AbuseDesk.Functions.Tests.Cases.EvidenceReports;

namespace AbuseDesk.Functions.Tests.Cases;

/// <summary>
/// A case keeps its first 1,000 events (AbuseDesk:Cases:MaxEvidencePerCase, default) as evidence rows in its own
/// partition and only counts the rest: total, first and last seen, and a sample of the most recent distinct ones.
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class CaseEvidenceTests(DeskApp app)
{
    private const int Cap = 1000;

    [Fact]
    public async Task Events_beyond_the_cap_are_counted_with_first_and_last_seen_and_a_sample_not_stored_as_case_rows()
    {
        // 1,200 events; the last five repeat one line, which the sample holds once.
        static string Text(int i) => i >= 1195 ? $"same line {Hostile}" : $"ev-{i} {Hostile}";
        var (_, caseId) = await PostAsync(app, Json(1, 0, 1200, Text));

        var row = await CaseRowAsync(app, caseId);
        Assert.Equal(1200, row.EventCount);
        Assert.Equal(Cap, row.EvidenceKept);
        Assert.Equal(Start, row.FirstEventAt);
        Assert.Equal(Start.AddMinutes(1199), row.LastEventAt);

        var rows = await EvidenceRowsAsync(app, caseId);
        Assert.InRange(rows.Count, Cap / CaseEvidence.MaxItemsPerRow, Cap);
        Assert.Equal(row.EvidenceRows, rows.Count);
        Assert.Equal(Cap, rows.Sum(r => r.Count));
        var kept = await KeptAsync(app, caseId);
        // The first 1,000 in full, each once; nothing after the cap.
        Assert.Equal(Enumerable.Range(0, Cap), kept.Select(e => Index(e.EventId)).Order());
        Assert.All(kept, e => Assert.Equal($"ev-{Index(e.EventId)} {Hostile}", e.Evidence));

        var sample = CaseEvidence.Unpack(row.EvidenceSample);
        Assert.Equal([1199, 1194, 1193, 1192, 1191], sample.Select(e => Index(e.EventId)));
        Assert.Equal($"same line {Hostile}", sample[0].Evidence);
        Assert.Equal(Start.AddMinutes(1194), sample[1].OccurredAt);

        // A second report: counted and sampled; no row added, since the case is at its cap.
        await PostAsync(app, Json(1, 1200, 1500));
        row = await CaseRowAsync(app, caseId);
        Assert.Equal(1500, row.EventCount);
        Assert.Equal(Cap, row.EvidenceKept);
        Assert.Equal(Start, row.FirstEventAt);
        Assert.Equal(Start.AddMinutes(1499), row.LastEventAt);
        Assert.Equal(rows.Count, (await EvidenceRowsAsync(app, caseId)).Count);
        // Event ids number events within their report: the second report's are 0-299; the text says which they are.
        Assert.Equal(new[] { 1499, 1498, 1497, 1496, 1495 }.Select(i => $"ev-{i} {Hostile}"), CaseEvidence.Unpack(row.EvidenceSample).Select(e => e.Evidence));

        var ops = await app.OpsJsonAsync($"/api/ops/cases/{caseId}");
        Assert.Equal(1500, ops["eventCount"]!.GetValue<int>());
        var evidence = ops["evidence"]!;
        Assert.Equal(1500, evidence["total"]!.GetValue<int>());
        Assert.Equal(Cap, evidence["kept"]!.GetValue<int>());
        Assert.Equal(500, evidence["counted"]!.GetValue<int>());
        Assert.Equal(Start, evidence["firstSeenAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(Start.AddMinutes(1499), evidence["lastSeenAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(5, evidence["sample"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_redelivered_or_reparsed_report_counts_and_keeps_nothing_twice()
    {
        var (reportId, caseId) = await PostAsync(app, Json(2, 0, 300));
        var before = await CaseRowAsync(app, caseId);
        Assert.Equal(300, before.EventCount);
        Assert.Equal(300, before.EvidenceKept);
        var rowsBefore = (await EvidenceRowsAsync(app, caseId)).Select(r => r.RowKey).Order(StringComparer.Ordinal).ToList();

        // The whole report handled again as a redelivered message after a crash: every chunk's link is found.
        await RedeliverAsync(app, reportId);
        var after = await CaseRowAsync(app, caseId);
        Assert.Equal(300, after.EventCount);
        Assert.Equal(300, after.EvidenceKept);
        Assert.Equal(before.EvidenceRows, after.EvidenceRows);
        Assert.Equal(before.EvidenceSample, after.EvidenceSample);
        Assert.Equal(rowsBefore, (await EvidenceRowsAsync(app, caseId)).Select(r => r.RowKey).Order(StringComparer.Ordinal));

        // And reparsed by ops, twice.
        for (var i = 0; i < 2; i++)
        {
            using var reparse = app.Ops(HttpMethod.Post, $"/api/ops/reports/{reportId}/reparse?actor=alice&reason=parser%20fix");
            using var response = await app.Http.SendAsync(reparse);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal("parsed", (await app.WaitForReportAsync(reportId))["status"]!.GetValue<string>());
        }

        after = await CaseRowAsync(app, caseId);
        Assert.Equal(300, after.EventCount);
        Assert.Equal(300, after.EvidenceKept);
        var kept = await KeptAsync(app, caseId);
        Assert.Equal(Enumerable.Range(0, 300), kept.Select(e => Index(e.EventId)).Order());

        // The same bytes posted again are a duplicate: nothing new either.
        using var again = await app.PostReportAsync(Json(2, 0, 300), "application/json");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(300, (await CaseRowAsync(app, caseId)).EventCount);
    }
}
