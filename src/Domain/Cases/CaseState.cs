using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Cases;

/// <summary>
/// The readable state of one case. <see cref="Version"/> changes whenever the plan (status or deadline)
/// changes; timers carry the version they were armed for, so a timer made stale by a resolution or an
/// extension does nothing when it fires.
/// </summary>
public sealed record CaseState
{
    public required string CaseId { get; init; }
    public required string CustomerId { get; init; }
    public required string ResourceId { get; init; }
    public required AbuseClass AbuseClass { get; init; }
    public required string ContactEmail { get; init; }
    public required DateOnly CustomerSince { get; init; }
    public string? Ip { get; init; }
    public CaseStatus Status { get; init; } = CaseStatus.New;
    public int EventCount { get; init; }
    public required DateTimeOffset OpenedAt { get; init; }
    public DateTimeOffset? LastEventAt { get; init; }
    public DateTimeOffset? NotifiedAt { get; init; }
    public DateTimeOffset? Deadline { get; init; }
    public int Version { get; init; }
    public bool ExtensionUsed { get; init; }
    public string? Resolution { get; init; }
    public string? ResolutionNote { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
}
