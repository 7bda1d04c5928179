namespace AbuseDesk.Domain.Cases;

/// <summary>Everything that can move a case: a signal to its orchestration, a timer of it, or a portal/ops request.</summary>
public abstract record CaseInput;

/// <summary>New events were attached to the case (also how a new case starts its playbook).</summary>
public sealed record EventsAdded : CaseInput;

public enum TimerKind
{
    Reminder,
    Deadline,
    /// <summary>The digest window after the last notice closed: tell the customer what is new since.</summary>
    Digest,
}

/// <summary>
/// A delayed message came due. <paramref name="Version"/> is the case version it was armed for. A deadline
/// may act on the customer, so it carries the <paramref name="Facts"/> the safeties need.
/// </summary>
public sealed record TimerDue(TimerKind Kind, int Version, SafetyFacts? Facts = null) : CaseInput;

/// <summary>
/// New events arrived for the key of a case that has ended (resolved or closed). Within the playbook's reopen
/// window the case reopens and takes them; otherwise the answer is <see cref="Refused"/> and a new case opens.
/// </summary>
public sealed record EventsAfterEnd : CaseInput;

public enum ResolutionKind
{
    Fixed,
    Disputed,
    MoreTime,
}

/// <summary>The customer's answer from the portal. A description (fixed) or reason (disputed) is mandatory.</summary>
public sealed record CustomerResolution(ResolutionKind Kind, string? Text) : CaseInput;

public sealed record CustomerMessage(string Text) : CaseInput;

/// <summary>
/// The customer writes to whoever reported the case. <paramref name="Reach"/> is who can be written to, looked up
/// by the caller at the moment of deciding (like the safety facts); null means not looked up yet, which decides
/// nothing.
/// </summary>
public sealed record MessageToReporters(string Text, ReporterReach? Reach = null) : CaseInput;

/// <summary>The reporters of a case a message can go to (they asked for feedback and left an address), and how many declined.</summary>
public sealed record ReporterReach(IReadOnlyList<ReporterContact> Writable, int Declined);

public sealed record ReporterContact(string ReporterId, string Address);

/// <summary>Who answered a case by mail.</summary>
public enum ReplyParty
{
    /// <summary>The customer, replying to one of the case's notices from their abuse contact address.</summary>
    Customer,

    /// <summary>A reporter of the case, replying to a customer's message relayed to them.</summary>
    Reporter,
}

/// <summary>
/// A mail to the abuse mailbox that answers this case (its tag or its references name the case), from a party the
/// case knows. <paramref name="Text"/> is the reply's own words (quoted text cut). <paramref name="SenderVerified"/>
/// says whether DKIM or the provider's SPF vouched for the From address: anyone can write any From.
/// </summary>
public sealed record MailReply(ReplyParty From, string Text, bool SenderVerified, string? ReporterId = null) : CaseInput;

/// <summary>
/// The customer's digest mail went out at <paramref name="At"/> and told them about this case's events up to
/// <paramref name="EventsCovered"/> (its count when the digest was composed).
/// </summary>
public sealed record CustomerDigestSent(DateTimeOffset At, int EventsCovered) : CaseInput;

/// <summary>
/// An ops person acting on the case (CONTRACT: POST /api/ops/cases/{id}/actions): approve-suspension,
/// reject-suspension, reinstate, close, reopen, extend, message, request-termination, approve-termination,
/// approve-resolution, reject-resolution.
/// </summary>
public sealed record OpsAction(string Action, string Actor, string? Reason) : CaseInput;
