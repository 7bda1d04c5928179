using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;
using Microsoft.Extensions.Time.Testing;
using static AbuseDesk.Domain.Tests.Cases.CaseFixtures;

namespace AbuseDesk.Domain.Tests.Cases;

/// <summary>
/// One case through its whole life on a fake clock, the way the app drives it: armed timers fire at their due
/// time (stale ones included), every transition is applied, and the effects are collected as the app would.
/// </summary>
public class CaseLifecycleTests
{
    private readonly FakeTimeProvider clock = new(Now);
    private readonly PlaybookSet playbooks = Defaults with { ReopenWindow = TimeSpan.FromDays(14) };
    private readonly List<ArmTimer> timers = [];
    private readonly List<CaseEffect> effects = [];
    private readonly List<HistoryEntry> history = [];
    private CaseState state = NewCase(AbuseClass.Phishing, Recent);

    private CaseDecision Send(CaseInput input)
    {
        var decision = CaseStateMachine.Decide(state, input, playbooks, clock.GetUtcNow());
        if (decision is Transition transition)
        {
            state = transition.State;
            history.AddRange(transition.History);
            effects.AddRange(transition.Effects);
            timers.AddRange(transition.Effects.OfType<ArmTimer>());
        }

        return decision;
    }

    /// <summary>Fires the earliest pending timer of this kind at its due time.</summary>
    private CaseDecision Fire(TimerKind kind, SafetyFacts? facts = null)
    {
        var timer = timers.Where(t => t.Kind == kind).MinBy(t => t.DueAt) ?? throw new InvalidOperationException($"no {kind} timer armed");
        timers.Remove(timer);
        if (timer.DueAt > clock.GetUtcNow())
        {
            clock.SetUtcNow(timer.DueAt);
        }

        return Send(new TimerDue(timer.Kind, timer.Version, facts));
    }

    private IEnumerable<NotificationKind> Mails => effects.OfType<SendNotification>().Select(n => n.Kind);

    [Fact]
    public void Notice_digest_reminder_suspension_fix_review_reopen_and_two_person_termination()
    {
        // Day 0: first notice, phishing: 24h deadline, 12h reminder.
        Assert.IsType<Transition>(Send(new EventsAdded()));
        Assert.Equal(CaseStatus.Notified, state.Status);

        // More reports an hour later: one digest armed, not a mail per report.
        clock.Advance(TimeSpan.FromHours(1));
        state = state with { EventCount = 3 };
        Assert.IsType<Transition>(Send(new EventsAdded()));
        clock.Advance(TimeSpan.FromMinutes(30));
        state = state with { EventCount = 7 };
        Assert.IsType<NoChange>(Send(new EventsAdded()));

        // The reminder at 12h tells them everything so far, so the digest timer at 24h finds nothing to send.
        Assert.IsType<Transition>(Fire(TimerKind.Reminder));
        Assert.Equal(7, state.EventsAtLastNotice);

        // The deadline at 24h: a recent customer, no flags, breaker quiet — suspended automatically.
        var suspension = Assert.IsType<Transition>(Fire(TimerKind.Deadline, SafetyFacts.None with { AutomatedSuspensionsLastHour = 3 }));
        Assert.Equal(CaseStatus.Suspended, state.Status);
        Assert.Equal(4, suspension.History[0].Safeties!.Count);
        Assert.Contains(suspension.Effects, e => e is CountAutomatedSuspension);
        Assert.IsType<NoChange>(Fire(TimerKind.Digest));

        // The customer fixes it: a person must lift the suspension.
        clock.Advance(TimeSpan.FromHours(3));
        Assert.IsType<Transition>(Send(new CustomerResolution(ResolutionKind.Fixed, "took the kit down, rotated FTP passwords")));
        Assert.Equal(CaseStatus.PendingReview, state.Status);
        Assert.IsType<Refused>(Send(new OpsAction("close", "dan", "done")));
        clock.Advance(TimeSpan.FromHours(1));
        Assert.IsType<Transition>(Send(new OpsAction("approve-resolution", "dan", "page is gone")));
        Assert.Equal(CaseStatus.Resolved, state.Status);
        Assert.False(state.ResourceSuspended);
        Assert.Contains(new RecordManualReinstatement(clock.GetUtcNow()), effects);

        // Nine days later the same site phishes again: within the 14-day window, the case comes back.
        clock.Advance(TimeSpan.FromDays(9));
        state = state with { EventCount = 8 };
        Assert.IsType<Transition>(Send(new EventsAfterEnd()));
        Assert.Equal(CaseStatus.Notified, state.Status);
        Assert.Equal(clock.GetUtcNow().AddHours(24), state.Deadline);

        // Ops want the account gone; alice cannot do it alone.
        Assert.IsType<Transition>(Send(new OpsAction("request-termination", "alice", "second phishing kit in ten days")));
        var alone = Assert.IsType<Refused>(Send(new OpsAction("approve-termination", "Alice", "agreed")));
        Assert.Equal("termination needs a second, different ops person", alone.Reason);
        Assert.IsType<Transition>(Send(new OpsAction("approve-termination", "bob", "agreed; kit confirmed")));
        Assert.Equal(CaseStatus.Terminated, state.Status);

        // The reopened case's timers come due on a terminated case: nothing happens any more.
        Assert.IsType<Refused>(Fire(TimerKind.Reminder));
        Assert.IsType<Refused>(Fire(TimerKind.Deadline));
        Assert.Empty(timers);

        Assert.Equal(
            [
                NotificationKind.FirstNotice, NotificationKind.Reminder, NotificationKind.Suspended,
                NotificationKind.ResolutionAccepted, NotificationKind.Reinstated,
                NotificationKind.FirstNotice, NotificationKind.Terminated,
            ],
            Mails);
        Assert.Equal(
            [PlatformActionKind.Suspend, PlatformActionKind.Reinstate, PlatformActionKind.Terminate],
            effects.OfType<PlatformAction>().Select(p => p.Kind));
        Assert.Equal(
            ["notified", "digest-scheduled", "reminded", "suspended", "resolution-pending-review", "resolved", "reinstated",
             "reopened by new events", "termination-requested", "terminated"],
            history.Select(h => h.What));
        // Every automated step names its rule.
        Assert.All(history.Where(h => h.Actor == CaseStateMachine.System), h => Assert.False(string.IsNullOrEmpty(h.Rule), h.What));
    }

    [Fact]
    public void A_long_standing_customer_is_held_for_review_then_suspended_by_a_person_and_reinstated()
    {
        state = NewCase(AbuseClass.Spam, LongStanding);
        Send(new EventsAdded());
        clock.Advance(TimeSpan.FromHours(1));
        Assert.IsType<Transition>(Send(new CustomerResolution(ResolutionKind.MoreTime, "vendor patch on Monday")));

        // The original deadline is stale; the extended one acts.
        var first = timers.Single(t => t.Kind == TimerKind.Deadline && t.Version == 1);
        timers.Remove(first);
        clock.SetUtcNow(first.DueAt);
        Assert.IsType<NoChange>(Send(new TimerDue(first.Kind, first.Version, SafetyFacts.None)));
        Assert.IsType<NoChange>(Fire(TimerKind.Reminder));

        var held = Assert.IsType<Transition>(Fire(TimerKind.Deadline, SafetyFacts.None));
        Assert.Equal(CaseStatus.SuspensionPending, state.Status);
        Assert.Contains(held.History[0].Safeties!, l => l.StartsWith("customer-age: BLOCK", StringComparison.Ordinal));
        Assert.DoesNotContain(held.Effects, e => e is PlatformAction);

        clock.Advance(TimeSpan.FromHours(2));
        Send(new OpsAction("approve-suspension", "erin", "open relay still open"));
        Assert.Equal(CaseStatus.Suspended, state.Status);
        clock.Advance(TimeSpan.FromHours(5));
        Send(new OpsAction("reinstate", "erin", "relay closed, verified"));
        Assert.Equal(CaseStatus.Reinstated, state.Status);
        clock.Advance(TimeSpan.FromHours(1));
        Send(new CustomerResolution(ResolutionKind.Fixed, "relay closed"));
        Assert.Equal(CaseStatus.Resolved, state.Status);

        Assert.DoesNotContain(effects, e => e is CountAutomatedSuspension);
        Assert.Equal([PlatformActionKind.Suspend, PlatformActionKind.Reinstate], effects.OfType<PlatformAction>().Select(p => p.Kind));
    }
}
