using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;

namespace AbuseDesk.DevHost;

/// <summary>host.json's queue settings, as the Functions host applies them.</summary>
public sealed record QueueSettings(int BatchSize, int NewBatchThreshold, TimeSpan VisibilityTimeout, int MaxDequeueCount, TimeSpan MaxPollingInterval);

/// <summary>
/// host.json's durableTask section: the task hub and the Azure Storage provider's settings. ProviderType is
/// storageProvider.type: "AzureStorage" (the default, as in Azure), or "InMemory", the dev host's own, which keeps
/// the engine in the process and loses it with the process: for benchmarks that take the engine's storage away
/// to see what is left (docs/performance.md), never for a desk.
/// </summary>
public sealed record DurableSettings(
    string HubName,
    int PartitionCount,
    int ControlQueueBatchSize,
    TimeSpan MaxQueuePollingInterval,
    TimeSpan ControlQueueVisibilityTimeout,
    TimeSpan WorkItemQueueVisibilityTimeout,
    int MaxConcurrentActivityFunctions,
    int MaxConcurrentOrchestratorFunctions,
    bool ExtendedSessionsEnabled = false,
    int ExtendedSessionIdleTimeoutInSeconds = 30,
    string ProviderType = DurableSettings.AzureStorage)
{
    public const string AzureStorage = "AzureStorage";
    public const string InMemory = "InMemory";
}

/// <summary>
/// The app's host.json, read as the Functions host reads it, with the overrides Azure allows as app settings
/// (<c>AzureFunctionsJobHost__extensions__queues__maxDequeueCount</c> and the like).
/// </summary>
public sealed class HostJson
{
    public HostJson(string path, IConfiguration configuration)
    {
        var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })
            ?? throw new InvalidOperationException($"{path} is empty");
        var extensions = root["extensions"];

        string? Setting(string section, string name, JsonNode? node) =>
            configuration[$"AzureFunctionsJobHost:extensions:{section}:{name}"] ?? node?[name]?.ToString();

        var queues = extensions?["queues"];
        Queues = new QueueSettings(
            BatchSize: int.TryParse(Setting("queues", "batchSize", queues), out var batch) ? Math.Clamp(batch, 1, 32) : 16,
            NewBatchThreshold: int.TryParse(Setting("queues", "newBatchThreshold", queues), out var threshold) ? Math.Max(0, threshold) : 8,
            VisibilityTimeout: Time(Setting("queues", "visibilityTimeout", queues), TimeSpan.Zero),
            MaxDequeueCount: int.TryParse(Setting("queues", "maxDequeueCount", queues), out var max) ? Math.Max(1, max) : 5,
            MaxPollingInterval: Time(Setting("queues", "maxPollingInterval", queues), TimeSpan.FromMinutes(1)));

        RoutePrefix = (configuration["AzureFunctionsJobHost:extensions:http:routePrefix"] ?? extensions?["http"]?["routePrefix"]?.ToString() ?? "api").Trim('/');

        var durable = extensions?["durableTask"];
        var provider = durable?["storageProvider"];
        string? DurableSetting(string name) =>
            configuration[$"AzureFunctionsJobHost:extensions:durableTask:{name}"] ?? durable?[name]?.ToString();
        string? ProviderSetting(string name) =>
            configuration[$"AzureFunctionsJobHost:extensions:durableTask:storageProvider:{name}"] ?? provider?[name]?.ToString();
        Durable = new DurableSettings(
            HubName: DurableSetting("hubName") ?? "TestHubName",
            PartitionCount: int.TryParse(ProviderSetting("partitionCount"), out var partitions) ? partitions : 4,
            ControlQueueBatchSize: int.TryParse(ProviderSetting("controlQueueBatchSize"), out var controlBatch) ? controlBatch : 32,
            MaxQueuePollingInterval: Time(ProviderSetting("maxQueuePollingInterval"), TimeSpan.FromSeconds(30)),
            ControlQueueVisibilityTimeout: Time(ProviderSetting("controlQueueVisibilityTimeout"), TimeSpan.FromMinutes(5)),
            WorkItemQueueVisibilityTimeout: Time(ProviderSetting("workItemQueueVisibilityTimeout"), TimeSpan.FromMinutes(5)),
            MaxConcurrentActivityFunctions: int.TryParse(DurableSetting("maxConcurrentActivityFunctions"), out var activities) ? activities : 10 * Environment.ProcessorCount,
            MaxConcurrentOrchestratorFunctions: int.TryParse(DurableSetting("maxConcurrentOrchestratorFunctions"), out var orchestrators) ? orchestrators : 10 * Environment.ProcessorCount,
            ExtendedSessionsEnabled: bool.TryParse(DurableSetting("extendedSessionsEnabled"), out var extended) && extended,
            ExtendedSessionIdleTimeoutInSeconds: int.TryParse(DurableSetting("extendedSessionIdleTimeoutInSeconds"), out var idle) ? idle : 30,
            ProviderType: ProviderSetting("type") switch
            {
                null or "" or "azureStorage" or DurableSettings.AzureStorage => DurableSettings.AzureStorage,
                DurableSettings.InMemory => DurableSettings.InMemory,
                var other => throw new InvalidOperationException(
                    $"durableTask.storageProvider.type '{other}' is not one this host runs: '{DurableSettings.AzureStorage}' (as in Azure) or '{DurableSettings.InMemory}' (benchmarks only)"),
            });
    }

    public QueueSettings Queues { get; }

    /// <summary>extensions.http.routePrefix: "" here, so routes are the whole path (api/reports, portal/...).</summary>
    public string RoutePrefix { get; }

    public DurableSettings Durable { get; }

    /// <summary>host.json uses "hh:mm:ss" time spans; ISO 8601 is taken too.</summary>
    private static TimeSpan Time(string? text, TimeSpan fallback) =>
        string.IsNullOrWhiteSpace(text) ? fallback
        : TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value
        : XmlConvert.ToTimeSpan(text);
}
