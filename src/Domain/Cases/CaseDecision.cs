namespace AbuseDesk.Domain.Cases;

/// <summary>One line of a case's append-only history: what happened, who or which rule did it, and why.</summary>
public sealed record HistoryEntry(
    DateTimeOffset At,
    string What,
    string Actor,
    string? Rule = null,
    string? Detail = null,
    IReadOnlyList<string>? Safeties = null);

public enum NotificationKind
{
    FirstNotice,
    /// <summary>New events on an open case, at most once per digest window.</summary>
    Digest,
    Reminder,
    DeadlineReached,
    Suspended,
    /// <summary>The case went to a person (dispute received, suspension held for review).</summary>
    Escalated,
    Reinstated,
    ResolutionAccepted,
    OpsMessage,
    Terminated,
    /// <summary>A reporter answered the customer's message (relayed to them) by mail.</summary>
    ReporterReply,
}

public enum PlatformActionKind
{
    Suspend,
    Reinstate,
    Terminate,
}

/// <summary>Work that must happen once the new state is committed (through the case's outbox).</summary>
public abstract record CaseEffect;

public sealed record SendNotification(NotificationKind Kind, string? Text = null) : CaseEffect;

/// <summary>
/// This case has news the customer should hear about in their next digest: one mail per customer per digest
/// window, listing every case with news, rather than one per case.
/// </summary>
public sealed record RequestCustomerDigest(int Fresh) : CaseEffect;

public sealed record ArmTimer(TimerKind Kind, DateTimeOffset DueAt, int Version) : CaseEffect;

/// <summary>Tell the provider's platform to act on the resource (the suspensions queue and, when set, a signed webhook).</summary>
public sealed record PlatformAction(PlatformActionKind Kind, string Reason) : CaseEffect;

/// <summary>An automated suspension happened: it counts towards the circuit breaker's hourly limit.</summary>
public sealed record CountAutomatedSuspension : CaseEffect;

/// <summary>The hourly limit of automated suspensions was exceeded: pause them until ops resume.</summary>
public sealed record TripCircuitBreaker(string Reason) : CaseEffect;

/// <summary>
/// The customer's words to the case's reporters, relayed by mail under the case's tag and without the customer's
/// identity; replies come back through the abuse mailbox.
/// </summary>
public sealed record RelayToReporters(string Text, IReadOnlyList<ReporterContact> To) : CaseEffect;

/// <summary>An ops person reinstated the customer by hand: automation leaves the customer alone for the grace period.</summary>
public sealed record RecordManualReinstatement(DateTimeOffset At) : CaseEffect;

/// <summary>The state machine's answer to one input.</summary>
public abstract record CaseDecision;

/// <summary>Nothing to do (a stale timer, a duplicate message): commit nothing.</summary>
public sealed record NoChange(string Why) : CaseDecision;

public sealed record Transition(CaseState State, IReadOnlyList<HistoryEntry> History, IReadOnlyList<CaseEffect> Effects) : CaseDecision;

/// <summary>The input is not allowed in this state; <see cref="Allowed"/> lists what is.</summary>
public sealed record Refused(string Reason, IReadOnlyList<string> Allowed) : CaseDecision;
