using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace AbuseDesk.Functions.Tests.Ops;

/// <summary>Requests the ops tests repeat: send with the ops key and read JSON, post one JSON event as a report.</summary>
internal static class OpsCalls
{
    public static async Task<(HttpResponseMessage Response, JsonNode? Body)> SendAsync(this DeskApp app, HttpMethod method, string path, object? json = null)
    {
        using var request = app.Ops(method, path);
        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }

        var response = await app.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length > 0 && text.TrimStart() is ['{' or '[', ..] ? JsonNode.Parse(text) : null);
    }

    /// <summary>One event as a JSON report; a fresh marker in the evidence keeps the bytes unique (no duplicate).</summary>
    public static async Task<string> PostEventAsync(this DeskApp app, string ip, string abuseClass, string reportType, string? key = null)
    {
        var json = $$"""{"events":[{"ip":"{{ip}}","abuseClass":"{{abuseClass}}","reportType":"{{reportType}}","occurredAt":"2026-11-20T10:00:00Z","evidence":"ops test {{Guid.NewGuid():N}}"}]}""";
        using var posted = await app.PostReportAsync(Encoding.UTF8.GetBytes(json), "application/json", key);
        var body = await posted.Content.ReadAsStringAsync();
        Assert.True(posted.IsSuccessStatusCode, $"POST /api/reports → {(int)posted.StatusCode}: {body}");
        return JsonNode.Parse(body)!["reportId"]!.GetValue<string>();
    }

    /// <summary>Posts one event and returns the case it joined, once that case has been notified.</summary>
    public static async Task<string> OpenCaseAsync(this DeskApp app, string ip, string abuseClass, string reportType)
    {
        var report = await app.WaitForReportAsync(await app.PostEventAsync(ip, abuseClass, reportType));
        var caseId = report["events"]![0]!["caseId"]!.GetValue<string>();
        await Eventually.Async(async () => (await app.OpsJsonAsync($"/api/ops/cases/{caseId}"))["status"]!.GetValue<string>() != "new",
            TimeSpan.FromSeconds(30), $"case {caseId} to leave 'new'");
        return caseId;
    }

    /// <summary>Follows continuations until a page holds an item matching, or the pages run out.</summary>
    public static async Task<JsonNode?> FindInPagesAsync(this DeskApp app, string path, string listName, Func<JsonNode, bool> match)
    {
        string? continuation = null;
        do
        {
            var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            var page = await app.OpsJsonAsync(continuation is null ? path : $"{path}{separator}continuation={Uri.EscapeDataString(continuation)}");
            if (page[listName]!.AsArray().FirstOrDefault(n => match(n!)) is { } found)
            {
                return found;
            }

            continuation = page["continuation"]?.GetValue<string>();
        }
        while (continuation is not null);

        return null;
    }

    public static string Detail(this JsonNode? problem) => problem?["detail"]?.GetValue<string>() ?? "";
}
