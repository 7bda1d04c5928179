using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Feedback;

/// <summary>
/// A report's feedback bookkeeping (cases table, PK = "report|{reportId}", RK = "feedback"), written
/// before its "parsed" feedback is gathered: whose report, and which cases it fed, so a case's end can tell whether the
/// report is done. The feedback itself is gathered per reporter (<see cref="FeedbackBatchEntity"/>): an item per report
/// and kind under a fixed key, added insert-if-absent, which is what makes each at most once per report.
/// </summary>
public sealed class ReportFeedbackEntity : Entity
{
    public const string Row = "feedback";
    public const string Parsed = "parsed";
    public const string Ended = "ended";

    private const string PartitionPrefix = "report|";

    public string ReportId { get; set; } = "";
    public string ReporterId { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }
    public string? FileName { get; set; }

    /// <summary>The cases the report fed, one id per line.</summary>
    public string? Cases { get; set; }

    /// <summary>Every case of the report is listed (a big feed may touch too many to follow): only then is there an "ended" mail.</summary>
    public bool CasesComplete { get; set; }

    public static string PartitionFor(string reportId) => PartitionPrefix + reportId;

    /// <summary>The report whose feedback partition this is, or null for any other partition of the cases table.</summary>
    public static string? ReportOf(string partition) =>
        partition.StartsWith(PartitionPrefix, StringComparison.Ordinal) ? partition[PartitionPrefix.Length..] : null;

    public IReadOnlyList<string> CaseIds() => (Cases ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
