using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Cases;

/// <summary>Cases and clocks shared by the workflow tests; every time is fixed so a failure reproduces exactly.</summary>
internal static class CaseFixtures
{
    public static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A customer since 2020: past the 90-day line, so automation only ever escalates.</summary>
    public static readonly DateOnly LongStanding = new(2020, 1, 1);

    /// <summary>A customer of 50 days at <see cref="Now"/>: automation may suspend if everything else allows it.</summary>
    public static readonly DateOnly Recent = new(2026, 10, 1);

    public static PlaybookSet Defaults => PlaybookSet.Defaults;

    public static CaseState NewCase(AbuseClass abuseClass = AbuseClass.Spam, DateOnly? customerSince = null) => new()
    {
        CaseId = "20261120-0123456789ab",
        CustomerId = "cust-a",
        ResourceId = "web-1",
        AbuseClass = abuseClass,
        ContactEmail = "noc@cust-a.example",
        CustomerSince = customerSince ?? Recent,
        Ip = "198.51.100.7",
        EventCount = 1,
        OpenedAt = Now,
        LastEventAt = Now,
    };

    public static PlaybookSet With(AbuseClass abuseClass, Playbook playbook, PlaybookSet? basis = null)
    {
        var set = basis ?? Defaults;
        return set with { ByClass = new Dictionary<AbuseClass, Playbook>(set.ByClass) { [abuseClass] = playbook } };
    }

    public static CaseDecision Decide(CaseState state, CaseInput input, DateTimeOffset at, PlaybookSet? playbooks = null) =>
        CaseStateMachine.Decide(state, input, playbooks ?? Defaults, at);

    public static Transition Transitions(CaseDecision decision) => Assert.IsType<Transition>(decision);

    public static Refused IsRefused(CaseDecision decision) => Assert.IsType<Refused>(decision);

    public static NoChange Unchanged(CaseDecision decision) => Assert.IsType<NoChange>(decision);

    /// <summary>A case notified at <see cref="Now"/> (spam: deadline Now+48h, reminder Now+24h, version 1).</summary>
    public static CaseState Notified(AbuseClass abuseClass = AbuseClass.Spam, DateOnly? customerSince = null, PlaybookSet? playbooks = null) =>
        Transitions(Decide(NewCase(abuseClass, customerSince), new EventsAdded(), Now, playbooks)).State;

    /// <summary>A notified spam case whose deadline fired and whose safeties all passed: suspended at Now+48h.</summary>
    public static CaseState Suspended()
    {
        var notified = Notified();
        var suspended = Transitions(Decide(notified, new TimerDue(TimerKind.Deadline, notified.Version), notified.Deadline!.Value)).State;
        Assert.Equal(CaseStatus.Suspended, suspended.Status);
        return suspended;
    }

    public static CaseState Resolved(DateTimeOffset at)
    {
        var resolved = Transitions(Decide(Notified(), new CustomerResolution(ResolutionKind.Fixed, "closed the relay"), at)).State;
        Assert.Equal(CaseStatus.Resolved, resolved.Status);
        return resolved;
    }

    public static OpsAction Ops(string action, string actor = "alice", string? reason = "because") => new(action, actor, reason);

    public static T Single<T>(Transition transition) where T : CaseEffect => Assert.Single(transition.Effects.OfType<T>());
}
