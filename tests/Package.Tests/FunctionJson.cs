using System.Text.Json.Nodes;

namespace AbuseDesk.Package.Tests;

/// <summary>One function of the package as the Functions host sees it: its folder and its trigger binding.</summary>
public sealed record FunctionJson(string Name, string TriggerType, string? Route, IReadOnlyList<string> Methods)
{
    public bool IsHttp => TriggerType == "httpTrigger";

    /// <summary>Every folder under <paramref name="root"/> holding a function.json, as the host discovers functions.</summary>
    public static IReadOnlyList<FunctionJson> In(string root) =>
        Directory.EnumerateDirectories(root)
            .Where(dir => File.Exists(Path.Combine(dir, "function.json")))
            .Select(dir => Read(Path.GetFileName(dir), Path.Combine(dir, "function.json")))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();

    private static FunctionJson Read(string name, string path)
    {
        var trigger = JsonNode.Parse(File.ReadAllText(path))!["bindings"]!.AsArray()
            .OfType<JsonObject>()
            .Single(b => b["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal));
        var methods = trigger["methods"]?.AsArray().Select(m => m!.GetValue<string>().ToUpperInvariant()).ToList() ?? [];
        return new FunctionJson(name, trigger["type"]!.GetValue<string>(), trigger["route"]?.GetValue<string>(), methods);
    }

    /// <summary>Whether the host would hand <paramref name="path"/> to this HTTP function (literal segments, then an optional catch-all).</summary>
    public bool RouteMatches(string path)
    {
        var template = Route!.Split('/');
        var segments = path.TrimStart('/').Split('?')[0].Split('/');
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i].StartsWith("{*", StringComparison.Ordinal))
            {
                return true;
            }

            if (i >= segments.Length)
            {
                return false;
            }

            var isParameter = template[i].StartsWith('{');
            if (!isParameter && !string.Equals(template[i], segments[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return segments.Length == template.Length;
    }
}
