using System.Text.Json.Nodes;

namespace AbuseDesk.Functions.Tests;

/// <summary>maildev's REST API (GET /api/email): every mail the app really sent over SMTP.</summary>
public sealed class MaildevInbox(Uri baseUrl)
{
    private readonly HttpClient _http = new() { BaseAddress = baseUrl };

    public async Task<List<JsonNode>> MailsToAsync(string address)
    {
        var all = JsonNode.Parse(await _http.GetStringAsync(new Uri("/api/email", UriKind.Relative)))!.AsArray();
        return all.Where(m => m!["to"]!.AsArray().Any(t => string.Equals(t!["address"]!.GetValue<string>(), address, StringComparison.OrdinalIgnoreCase)))
            .Select(m => m!)
            .ToList();
    }
}
