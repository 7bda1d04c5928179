using AbuseDesk.Domain.Cases;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Feedback;

/// <summary>
/// The reporter-feedback message: a report finished parsing (or failing), or a case ended. Both are only hints to
/// look; what gets sent is decided from the stored rows, so duplicates and redeliveries send nothing twice. The third,
/// "window-due", says a reporter's batch of gathered feedback is due for its mail at DueAt.
/// </summary>
public sealed record ReporterFeedbackMessage(string Kind, string? ReportId = null, string? CaseId = null, string? ReporterId = null, int? Batch = null, DateTimeOffset? DueAt = null)
{
    public const string ReportSettled = "report-settled";
    public const string CaseEnded = "case-ended";
    public const string WindowDue = "window-due";

    public static string ForWindow(string reporterId, int batch, DateTimeOffset dueAt) =>
        Json.Serialize(new ReporterFeedbackMessage(WindowDue, ReporterId: reporterId, Batch: batch, DueAt: dueAt));

    public static string ForReport(string reportId) => Json.Serialize(new ReporterFeedbackMessage(ReportSettled, ReportId: reportId));

    public static string ForEndedCase(string caseId) => Json.Serialize(new ReporterFeedbackMessage(CaseEnded, CaseId: caseId));

    /// <summary>Whether a transition from <paramref name="was"/> (the stored status) to <paramref name="now"/> ends the case.</summary>
    public static bool Ends(string was, CaseStatus now) =>
        CaseStatuses.TryParse(was, out var before) && before.IsOpen() && !now.IsOpen();
}
