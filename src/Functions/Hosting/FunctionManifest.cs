using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;

namespace AbuseDesk.Functions.Hosting;

public sealed record FunctionDefinition(string Name, string TriggerType, string BindingName, string? QueueName, string? Path, string? Route, string? Schedule = null);

/// <summary>host.json's queue settings, as the Functions host applies them.</summary>
public sealed record QueueSettings(int BatchSize, TimeSpan VisibilityTimeout, int MaxDequeueCount, TimeSpan MaxPollingInterval, int NewBatchThreshold = 0);

/// <summary>
/// The app's host.json and function.json files: the one source of truth for triggers, read by the local
/// runner exactly as the Azure Functions host reads them. Host settings can be overridden the way Azure
/// allows, with AzureFunctionsJobHost__extensions__queues__maxDequeueCount style app settings.
/// </summary>
public sealed class FunctionManifest
{
    public FunctionManifest(string scriptRoot, IConfiguration? configuration = null)
    {
        ScriptRoot = scriptRoot;
        var hostPath = System.IO.Path.Combine(scriptRoot, "host.json");
        var host = JsonNode.Parse(File.ReadAllText(hostPath), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })
            ?? throw new InvalidOperationException($"{hostPath} is empty");
        var queues = host["extensions"]?["queues"];
        var overrides = configuration?.GetSection("AzureFunctionsJobHost:extensions:queues");

        string? Setting(string name) => overrides?[name] ?? queues?[name]?.ToString();

        Queues = new QueueSettings(
            BatchSize: int.TryParse(Setting("batchSize"), out var batch) ? Math.Clamp(batch, 1, 32) : 16,
            VisibilityTimeout: ParseTime(Setting("visibilityTimeout"), TimeSpan.Zero),
            MaxDequeueCount: int.TryParse(Setting("maxDequeueCount"), out var max) ? Math.Max(1, max) : 5,
            MaxPollingInterval: ParseTime(Setting("maxPollingInterval"), TimeSpan.FromMinutes(1)),
            NewBatchThreshold: int.TryParse(Setting("newBatchThreshold"), out var threshold) ? Math.Max(0, threshold) : 8);

        var functions = new List<FunctionDefinition>();
        foreach (var directory in Directory.EnumerateDirectories(scriptRoot).Order(StringComparer.Ordinal))
        {
            var file = System.IO.Path.Combine(directory, "function.json");
            if (!File.Exists(file))
            {
                continue;
            }

            var json = JsonNode.Parse(File.ReadAllText(file))!;
            var trigger = json["bindings"]!.AsArray().FirstOrDefault(b => b?["direction"]?.GetValue<string>() == "in" && b["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"{file} has no trigger binding");
            functions.Add(new FunctionDefinition(
                System.IO.Path.GetFileName(directory),
                trigger["type"]!.GetValue<string>(),
                trigger["name"]!.GetValue<string>(),
                trigger["queueName"]?.GetValue<string>(),
                trigger["path"]?.GetValue<string>(),
                trigger["route"]?.GetValue<string>(),
                trigger["schedule"]?.GetValue<string>()));
        }

        Functions = functions;
    }

    public string ScriptRoot { get; }

    public QueueSettings Queues { get; }

    public IReadOnlyList<FunctionDefinition> Functions { get; }

    /// <summary>host.json uses "hh:mm:ss" time spans; tolerate ISO 8601 too.</summary>
    private static TimeSpan ParseTime(string? text, TimeSpan fallback)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        if (TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        return XmlConvert.ToTimeSpan(text);
    }
}
