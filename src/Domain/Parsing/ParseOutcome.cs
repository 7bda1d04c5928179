namespace AbuseDesk.Domain.Parsing;

/// <summary>
/// What parsing one raw report produced: its detected format and events, or why it failed, or why it is not a
/// report at all (<see cref="IgnoredBecause"/>: kept, not failed, and no events).
/// </summary>
public sealed record ParseOutcome(string Format, IReadOnlyList<ReportEvent> Events, string? Error)
{
    public bool Failed => Error is not null;

    public string? IgnoredBecause { get; init; }

    public bool Ignored => IgnoredBecause is not null;

    public static ParseOutcome Success(string format, IReadOnlyList<ReportEvent> events) => new(format, events, null);

    public static ParseOutcome Failure(string format, string error) => new(format, [], error);

    public static ParseOutcome Ignore(string reason) => new(ReportFormats.NotAReport, [], null) { IgnoredBecause = reason };
}
