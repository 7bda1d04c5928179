using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Intake;

/// <summary>One received report (PK = reportId, RK = "report"). The raw bytes live in the blob it names.</summary>
public sealed class ReportEntity : Entity
{
    public const string Row = "report";

    public string ReporterId { get; set; } = "";
    public string BlobName { get; set; } = "";
    public string ContentType { get; set; } = "";
    public string? FileName { get; set; }
    public string? ReportTypeHint { get; set; }
    public long Size { get; set; }
    public string Status { get; set; } = ReportStatus.Received;
    public string? Format { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public int EventCount { get; set; }
    public int RoutedCount { get; set; }
    public int UnroutedCount { get; set; }
    public string? Error { get; set; }

    /// <summary>How far parsing got, so a retried message resumes instead of redoing committed work.</summary>
    public int Stage { get; set; }
}

public static class ReportStatus
{
    public const string Received = "received";
    public const string Parsed = "parsed";
    public const string Failed = "failed";
}

public static class ReportStage
{
    public const int Received = 0;
    public const int EventsStored = 1;
    public const int Assigned = 2;
}
