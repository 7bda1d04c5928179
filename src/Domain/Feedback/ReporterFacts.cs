using AbuseDesk.Domain.Cases;

namespace AbuseDesk.Domain.Feedback;

/// <summary>The report a feedback mail is about, as the reporter knows it: our id, when it arrived, the file name they sent.</summary>
public sealed record ReportFacts(string ReportId, DateTimeOffset ReceivedAt, string? FileName);

/// <summary>How many events of a report were left unrouted for one reason (a <see cref="UnroutedReasons"/> code).</summary>
public sealed record ReasonCount(string Code, int Count);

/// <summary>
/// What a report came to once parsed or failed. The counts are the report's own; <see cref="Reasons"/> may cover
/// only the first events of a big feed (<see cref="ReasonsSampled"/>). <see cref="CaseCount"/> is null when not
/// known exactly. <see cref="FollowUp"/>: a second mail will come when every case the report fed has ended.
/// </summary>
public sealed record ReportParsedFacts(
    ReportFacts Report,
    bool Failed,
    string? Error,
    int EventCount,
    int RoutedCount,
    int UnroutedCount,
    int? CaseCount,
    IReadOnlyList<ReasonCount> Reasons,
    bool ReasonsSampled,
    bool FollowUp);

/// <summary>The cases a report fed, all ended. Only their class and outcome reach the mail, never whose they were.</summary>
public sealed record ReportCasesEndedFacts(ReportFacts Report, IReadOnlyList<CaseState> Cases);

/// <summary>
/// One report's part of a reporter's feedback, rendered from its kind's template: the headline (the subject it has on
/// its own), the lead and the detail lines. Stored when decided, so the mail that gathers it says what was decided then.
/// </summary>
public sealed record FeedbackSection(ReportFacts Report, string Headline, string Lead, IReadOnlyList<string> Details);
