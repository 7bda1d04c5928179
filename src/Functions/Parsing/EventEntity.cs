using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Parsing;

/// <summary>
/// One parsed event. PK = "{reportId}-{chunk}", RK = its index in the report (zero-padded so rows sort in
/// report order). A big feed spreads over many partitions, so its writes are not capped by one partition's
/// throughput; a report's events are still one key range ("{reportId}-" to "{reportId}.").
/// </summary>
public sealed class EventEntity : Entity
{
    public string? Ip { get; set; }
    public int? Port { get; set; }
    public string? Url { get; set; }
    public string AbuseClass { get; set; } = "";
    public string ReportType { get; set; } = "";
    public string Severity { get; set; } = "";
    public DateTimeOffset? OccurredAt { get; set; }
    public string? Evidence { get; set; }
    public bool LowConfidence { get; set; }
    public string? CustomerId { get; set; }
    public string? ResourceId { get; set; }
    public string? UnroutedReason { get; set; }
    public string? CaseId { get; set; }

    public static string PartitionFor(string reportId, int chunk) => $"{reportId}-{chunk:D5}";

    public static string RowKeyFor(int index) => index.ToString("D8");

    /// <summary>The partition-key range holding all of one report's events, across its chunks.</summary>
    public static (string From, string To) PartitionsOf(string reportId) => (reportId + "-", KeyRange.After(reportId + "-"));

    /// <summary>Stable and readable: the report and the event's position in it.</summary>
    public string EventId => $"{PartitionKey[..PartitionKey.LastIndexOf('-')]}-{RowKey}";
}
