using System.Net;
using System.Text.Json.Nodes;
using static AbuseDesk.Functions.Tests.Cases.EvidenceReports;

namespace AbuseDesk.Functions.Tests.Ops;

/// <summary>GET /api/ops/cases/{caseId} gives a page of evidence, newest first, with the totals; evidencePage asks for the next.</summary>
[Collection(DeskCollection.Name)]
public sealed class CaseEvidencePagingTests(DeskApp app)
{
    [Fact]
    public async Task The_ops_view_pages_through_the_kept_evidence_newest_first_with_the_totals()
    {
        var (_, caseId) = await PostAsync(app, Json(3, 0, 1100));

        var first = await app.OpsJsonAsync($"/api/ops/cases/{caseId}");
        Assert.Equal(100, first["events"]!.AsArray().Count);
        Assert.Equal(1100, first["evidence"]!["total"]!.GetValue<int>());
        Assert.Equal(1000, first["evidence"]!["kept"]!.GetValue<int>());
        Assert.Equal(100, first["evidence"]!["counted"]!.GetValue<int>());

        var seen = new List<int>();
        string? next = null;
        var pages = 0;
        do
        {
            var page = await app.OpsJsonAsync($"/api/ops/cases/{caseId}?evidenceLimit=300{(next is null ? "" : $"&evidencePage={Uri.EscapeDataString(next)}")}");
            var events = page["events"]!.AsArray();
            Assert.InRange(events.Count, 1, 300);
            Assert.All(events, e => Assert.Equal($"ev-{Index(e!["eventId"]!.GetValue<string>())} {Hostile}", e!["evidence"]!.GetValue<string>()));
            seen.AddRange(events.Select(e => Index(e!["eventId"]!.GetValue<string>())));
            Assert.Equal(1100, page["eventCount"]!.GetValue<int>());
            next = page["evidence"]!["next"]?.GetValue<string>();
            pages++;
        }
        while (next is not null && pages < 10);

        Assert.Equal(4, pages);
        // Every kept event exactly once, newest first.
        Assert.Equal(Enumerable.Range(0, 1000).Reverse(), seen);
    }

    [Fact]
    public async Task Evidence_paging_parameters_are_checked()
    {
        var (_, caseId) = await PostAsync(app, Json(4, 0, 3));
        foreach (var query in new[] { "evidenceLimit=0", "evidenceLimit=501", "evidenceLimit=x", "evidencePage=abc", "evidencePage=1.-1", "evidencePage=1.100" })
        {
            using var request = app.Ops(HttpMethod.Get, $"/api/ops/cases/{caseId}?{query}");
            using var response = await app.Http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query} → {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        // A position past the case's rows is simply an empty page.
        var beyond = await app.OpsJsonAsync($"/api/ops/cases/{caseId}?evidencePage=99999.0");
        Assert.Empty(beyond["events"]!.AsArray());
        Assert.Null(beyond["evidence"]!["next"]);
    }
}
