namespace AbuseDesk.Domain.Parsing;

public enum Severity
{
    Info,
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>
/// One thing a report says happened: an IP and/or URL doing something of one abuse class.
/// Everything here came from an attacker-controllable report; <see cref="Evidence"/> is bounded
/// and must be escaped wherever it is shown.
/// </summary>
public sealed record ReportEvent
{
    /// <summary>Longest evidence excerpt kept per event (characters).</summary>
    public const int MaxEvidenceLength = 4096;

    public string? Ip { get; init; }
    public int? Port { get; init; }
    public string? Url { get; init; }
    public required AbuseClass AbuseClass { get; init; }
    public required string ReportType { get; init; }
    public DateTimeOffset? OccurredAt { get; init; }
    public string? Evidence { get; init; }

    /// <summary>How bad this is, from the report type's row in its format's mapping table.</summary>
    public Severity Severity { get; init; } = Severity.Medium;

    /// <summary>Free-text extraction is a guess; structured formats are certain.</summary>
    public bool LowConfidence { get; init; }

    public static string? BoundEvidence(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        return text.Length <= MaxEvidenceLength ? text : string.Concat(text.AsSpan(0, MaxEvidenceLength - 1), "…");
    }
}
