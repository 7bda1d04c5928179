using System.Text.Json;

namespace AbuseDesk.DevHost;

/// <summary>
/// Reads local.settings.json the way Azure Functions Core Tools does: every entry of "Values" becomes an
/// environment variable unless one is already set, so the real environment always wins.
/// </summary>
public static class LocalSettings
{
    public static string? Apply()
    {
        var path = new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory }
            .Select(dir => Path.Combine(dir, "local.settings.json"))
            .FirstOrDefault(File.Exists);
        if (path is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (document.RootElement.TryGetProperty("Values", out var values) && values.ValueKind == JsonValueKind.Object)
        {
            foreach (var value in values.EnumerateObject())
            {
                var text = value.Value.ValueKind == JsonValueKind.String ? value.Value.GetString() : value.Value.GetRawText();
                if (!string.IsNullOrEmpty(text) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(value.Name)))
                {
                    Environment.SetEnvironmentVariable(value.Name, text);
                }
            }
        }

        return path;
    }
}
