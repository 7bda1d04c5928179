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
    Reminder,
    DeadlineReached,
    ResolutionAccepted,
    OpsMessage,
}

/// <summary>Work that must happen once the new state is committed (through the case's outbox).</summary>
public abstract record CaseEffect;

public sealed record SendNotification(NotificationKind Kind, string? Text = null) : CaseEffect;

public sealed record ArmTimer(TimerKind Kind, DateTimeOffset DueAt, int Version) : CaseEffect;

/// <summary>The state machine's answer to one input.</summary>
public abstract record CaseDecision;

/// <summary>Nothing to do (a stale timer, a duplicate message): commit nothing.</summary>
public sealed record NoChange(string Why) : CaseDecision;

public sealed record Transition(CaseState State, IReadOnlyList<HistoryEntry> History, IReadOnlyList<CaseEffect> Effects) : CaseDecision;

/// <summary>The input is not allowed in this state; <see cref="Allowed"/> lists what is.</summary>
public sealed record Refused(string Reason, IReadOnlyList<string> Allowed) : CaseDecision;
