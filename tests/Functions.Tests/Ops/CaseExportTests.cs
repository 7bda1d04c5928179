using System.Net;
using System.Text.Json.Nodes;

namespace AbuseDesk.Functions.Tests.Ops;

[Collection(DeskCollection.Name)]
public sealed class CaseExportTests(DeskApp app)
{
    private const string Hostile = "=HYPERLINK(\"http://evil.test/x\",\"click\")";

    [Fact]
    public async Task The_csv_export_has_one_row_per_history_entry_with_formulas_neutralised()
    {
        var caseId = await app.OpenCaseAsync("2001:db8:71::9", "spam", "spam-export-test");
        var (acted, _) = await app.SendAsync(HttpMethod.Post, $"/api/ops/cases/{caseId}/actions", new { action = "message", actor = "eve", reason = Hostile });
        Assert.Equal(HttpStatusCode.OK, acted.StatusCode);
        var history = (await app.OpsJsonAsync($"/api/ops/cases/{caseId}"))["history"]!.AsArray();

        using var request = app.Ops(HttpMethod.Get, $"/api/ops/cases/{caseId}/export?format=csv");
        using var response = await app.Http.SendAsync(request);
        var csv = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal($"case-{caseId}.csv", response.Content.Headers.ContentDisposition.FileName!.Trim('"'));
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["at", "what", "actor", "rule", "detail", "safeties", "version"], SpreadsheetCsvTests.ParseRow(lines[0]));
        Assert.Equal(history.Count, lines.Length - 1);
        var message = SpreadsheetCsvTests.ParseRow(Assert.Single(lines, l => l.Contains("\"ops-message\"", StringComparison.Ordinal)));
        Assert.Equal("eve", message[2]);
        Assert.Equal("'" + Hostile, message[4]);
        Assert.DoesNotContain(lines, l => l.Contains(",\"=", StringComparison.Ordinal) || l.StartsWith("\"=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_json_export_has_the_case_history_and_an_events_summary()
    {
        var caseId = await app.OpenCaseAsync("2001:db8:71::10", "phishing", "phish-export-test");
        using var request = app.Ops(HttpMethod.Get, $"/api/ops/cases/{caseId}/export?format=json");
        using var response = await app.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        var export = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(caseId, export["caseId"]!.GetValue<string>());
        Assert.Equal("cust-ops-export", export["customerId"]!.GetValue<string>());
        Assert.Contains(export["history"]!.AsArray(), h => h!["what"]!.GetValue<string>() == "notified");
        Assert.Equal(1, export["eventsSummary"]!["total"]!.GetValue<int>());
        Assert.Equal("phish-export-test", export["eventsSummary"]!["reportTypes"]![0]!["reportType"]!.GetValue<string>());
        Assert.Equal(["2001:db8:71::10"], export["eventsSummary"]!["ips"]!.AsArray().Select(i => i!.GetValue<string>()));
    }

    [Fact]
    public async Task Export_of_an_unknown_case_is_404_and_a_bad_format_400()
    {
        var (missing, problem) = await app.SendAsync(HttpMethod.Get, "/api/ops/cases/c-nosuchcase/export?format=csv");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("c-nosuchcase", problem.Detail());
        var (bad, badProblem) = await app.SendAsync(HttpMethod.Get, "/api/ops/cases/c-nosuchcase/export?format=xlsx");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("'format'", badProblem.Detail());
    }
}
