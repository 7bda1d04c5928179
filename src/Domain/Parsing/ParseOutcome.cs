namespace AbuseDesk.Domain.Parsing;

/// <summary>What parsing one raw report produced: its detected format and events, or why it failed.</summary>
public sealed record ParseOutcome(string Format, IReadOnlyList<ReportEvent> Events, string? Error)
{
    public bool Failed => Error is not null;

    public static ParseOutcome Success(string format, IReadOnlyList<ReportEvent> events) => new(format, events, null);

    public static ParseOutcome Failure(string format, string error) => new(format, [], error);
}
