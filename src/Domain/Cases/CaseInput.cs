namespace AbuseDesk.Domain.Cases;

/// <summary>Everything that can move a case. Each input is a message on case-workflow or a portal/ops request.</summary>
public abstract record CaseInput;

/// <summary>New events were attached to the case (also how a new case starts its playbook).</summary>
public sealed record EventsAdded : CaseInput;

public enum TimerKind
{
    Reminder,
    Deadline,
}

/// <summary>A delayed message came due. <paramref name="Version"/> is the case version it was armed for.</summary>
public sealed record TimerDue(TimerKind Kind, int Version) : CaseInput;

public enum ResolutionKind
{
    Fixed,
    Disputed,
    MoreTime,
}

/// <summary>The customer's answer from the portal. A description (fixed) or reason (disputed) is mandatory.</summary>
public sealed record CustomerResolution(ResolutionKind Kind, string? Text) : CaseInput;

public sealed record CustomerMessage(string Text) : CaseInput;

/// <summary>An ops person acting on the case (CONTRACT: POST /api/ops/cases/{id}/actions).</summary>
public sealed record OpsAction(string Action, string Actor, string? Reason) : CaseInput;
