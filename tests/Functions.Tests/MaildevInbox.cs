using System.Text.Json.Nodes;

namespace AbuseDesk.Functions.Tests;

/// <summary>maildev's REST API (GET /api/email): every mail the app really sent over SMTP.</summary>
public sealed class MaildevInbox(Uri baseUrl)
{
    private readonly HttpClient _http = new() { BaseAddress = baseUrl };

    public async Task<List<JsonNode>> MailsToAsync(string address) =>
        await MailsAsync(to => string.Equals(to, address, StringComparison.OrdinalIgnoreCase));

    public async Task<List<JsonNode>> MailsAsync(Func<string, bool> recipient)
    {
        var all = JsonNode.Parse(await _http.GetStringAsync(new Uri("/api/email", UriKind.Relative)))!.AsArray();
        return all.Where(m => m!["to"]!.AsArray().Any(t => recipient(t!["address"]!.GetValue<string>())))
            .Select(m => m!)
            .ToList();
    }
}
