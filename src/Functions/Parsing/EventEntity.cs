using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Parsing;

/// <summary>One parsed event (PK = reportId, RK = its index in the report, zero-padded so rows sort in report order).</summary>
public sealed class EventEntity : Entity
{
    public string? Ip { get; set; }
    public int? Port { get; set; }
    public string? Url { get; set; }
    public string AbuseClass { get; set; } = "";
    public string ReportType { get; set; } = "";
    public DateTimeOffset? OccurredAt { get; set; }
    public string? Evidence { get; set; }
    public bool LowConfidence { get; set; }
    public string? CustomerId { get; set; }
    public string? ResourceId { get; set; }
    public string? UnroutedReason { get; set; }
    public string? CaseId { get; set; }

    public static string RowKeyFor(int index) => index.ToString("D7");

    public string EventId => $"{PartitionKey}-{RowKey}";
}
