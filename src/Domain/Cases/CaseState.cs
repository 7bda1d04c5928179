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

    /// <summary>When the customer was last told anything, and how many events the case had then (for digests).</summary>
    public DateTimeOffset? LastNoticeAt { get; init; }
    public int EventsAtLastNotice { get; init; }

    /// <summary>
    /// When this case's news is due in a digest: a case digest timer is armed for it, or (once due) the case has
    /// asked for the customer's digest. Null when nothing is pending.
    /// </summary>
    public DateTimeOffset? DigestDueAt { get; init; }

    /// <summary>When the case last ended (resolved or closed), for the reopen window.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    public DateTimeOffset? SuspendedAt { get; init; }

    /// <summary>When ops last reinstated this case's resource; later than <see cref="SuspendedAt"/> means it runs again.</summary>
    public DateTimeOffset? ReinstatedAt { get; init; }

    /// <summary>
    /// Whether the provider's platform holds the resource suspended for this case. Kept apart from
    /// <see cref="Status"/> because a suspended customer can record a fix (pending review) while still suspended,
    /// and nothing may end such a case without lifting the suspension.
    /// </summary>
    public bool ResourceSuspended => SuspendedAt is { } suspended && (ReinstatedAt is not { } reinstated || reinstated < suspended);

    /// <summary>The first ops person who asked for termination, and why; a different person must approve.</summary>
    public string? TerminationRequestedBy { get; init; }
    public string? TerminationReason { get; init; }
}
