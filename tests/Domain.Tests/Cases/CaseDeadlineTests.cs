using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;
using static AbuseDesk.Domain.Tests.Cases.CaseFixtures;

namespace AbuseDesk.Domain.Tests.Cases;

/// <summary>The deadline of a playbook that suspends: safeties, dry runs and the circuit breaker.</summary>
public class CaseDeadlineTests
{
    private static readonly DateTimeOffset Deadline = Now.AddHours(48);

    private static Transition AtDeadline(CaseState state, SafetyFacts? facts, PlaybookSet? playbooks = null) =>
        Transitions(Decide(state, new TimerDue(TimerKind.Deadline, state.Version, facts), Deadline, playbooks));

    [Fact]
    public void When_every_safety_passes_the_deadline_suspends_and_counts_it()
    {
        var state = Notified();

        var transition = AtDeadline(state, SafetyFacts.None);

        Assert.Equal(CaseStatus.Suspended, transition.State.Status);
        Assert.Equal(Deadline, transition.State.SuspendedAt);
        Assert.True(transition.State.ResourceSuspended);
        Assert.Equal(state.Version + 1, transition.State.Version);
        Assert.Equal(3, transition.Effects.Count);
        var platform = Assert.IsType<PlatformAction>(transition.Effects[0]);
        Assert.Equal(PlatformActionKind.Suspend, platform.Kind);
        Assert.Contains(state.CaseId, platform.Reason, StringComparison.Ordinal);
        Assert.IsType<CountAutomatedSuspension>(transition.Effects[1]);
        Assert.Equal(new SendNotification(NotificationKind.Suspended), transition.Effects[2]);
        var entry = Assert.Single(transition.History);
        Assert.Equal("suspended", entry.What);
        Assert.Equal(CaseStateMachine.System, entry.Actor);
        Assert.Equal("playbook:spam.onDeadline=suspend", entry.Rule);
        Assert.Equal(SafetyChecks.ForAutomatedSuspension(state, SafetyFacts.None, Defaults.Safeties, Deadline).Lines, entry.Safeties);
        Assert.Equal(4, entry.Safeties!.Count);
        Assert.All(entry.Safeties, line => Assert.Contains(": pass (", line, StringComparison.Ordinal));
        Assert.Equal(Deadline, transition.State.LastNoticeAt);
    }

    [Fact]
    public void A_deadline_timer_without_facts_is_judged_on_no_facts()
    {
        var state = Notified();

        Assert.Equal(AtDeadline(state, SafetyFacts.None), AtDeadline(state, null), new TransitionComparer());
    }

    public static TheoryData<string, DateOnly, SafetyFacts> Blockers => new()
    {
        { "customer-age", LongStanding, SafetyFacts.None },
        { "allow-flag", Recent, SafetyFacts.None with { AllowFlags = [new AllowFlag("cust-a", "web-1", [AbuseClass.Spam], "newsletter", "dora", Now.AddDays(10))] } },
        { "reinstatement-grace", Recent, SafetyFacts.None with { LastManualReinstatement = Deadline.AddDays(-2) } },
        { "circuit-breaker", Recent, SafetyFacts.None with { BreakerOpen = true } },
        { "circuit-breaker", Recent, SafetyFacts.None with { AutomatedSuspensionsLastHour = 20 } },
    };

    [Theory]
    [MemberData(nameof(Blockers))]
    public void Any_one_blocking_safety_holds_the_suspension_for_a_person(string blocker, DateOnly customerSince, SafetyFacts facts)
    {
        var state = Notified(customerSince: customerSince);

        var transition = AtDeadline(state, facts);

        Assert.Equal(CaseStatus.SuspensionPending, transition.State.Status);
        Assert.Null(transition.State.SuspendedAt);
        Assert.Equal(state.Version + 1, transition.State.Version);
        Assert.DoesNotContain(transition.Effects, e => e is PlatformAction or CountAutomatedSuspension);
        Assert.Equal(new SendNotification(NotificationKind.DeadlineReached), transition.Effects[0]);
        var entry = Assert.Single(transition.History);
        Assert.Equal("suspension-held", entry.What);
        Assert.Equal("playbook:spam.onDeadline=suspend", entry.Rule);
        Assert.Contains(blocker, entry.Detail, StringComparison.Ordinal);
        Assert.Equal(4, entry.Safeties!.Count);
        Assert.Single(entry.Safeties, line => line.StartsWith($"{blocker}: BLOCK", StringComparison.Ordinal));
        Assert.Equal(["approve-suspension", "reject-suspension", "close", "extend", "message", "request-termination"], CaseStateMachine.OpsActionsAllowed(transition.State));
    }

    [Fact]
    public void Hitting_the_hourly_limit_with_the_breaker_closed_trips_it()
    {
        var transition = AtDeadline(Notified(), SafetyFacts.None with { AutomatedSuspensionsLastHour = 20 });

        var trip = Single<TripCircuitBreaker>(transition);
        Assert.Contains("limit 20", trip.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_already_open_breaker_is_not_tripped_again()
    {
        var transition = AtDeadline(Notified(), SafetyFacts.None with { AutomatedSuspensionsLastHour = 25, BreakerOpen = true });

        Assert.Equal(CaseStatus.SuspensionPending, transition.State.Status);
        Assert.DoesNotContain(transition.Effects, e => e is TripCircuitBreaker);
    }

    [Theory]
    [MemberData(nameof(Blockers))]
    public void Only_the_breaker_check_can_trip_the_breaker(string blocker, DateOnly customerSince, SafetyFacts facts)
    {
        var transition = AtDeadline(Notified(customerSince: customerSince), facts);

        var trips = transition.Effects.OfType<TripCircuitBreaker>().Count();
        Assert.Equal(blocker == "circuit-breaker" && !facts.BreakerOpen ? 1 : 0, trips);
    }

    [Fact]
    public void The_limit_is_reached_even_when_another_safety_also_blocks()
    {
        // The breaker guards the whole desk; this case being escalated anyway does not make the spike go away.
        var transition = AtDeadline(Notified(customerSince: LongStanding), SafetyFacts.None with { AutomatedSuspensionsLastHour = 20 });

        Assert.Single(transition.Effects.OfType<TripCircuitBreaker>());
    }

    [Fact]
    public void A_dry_run_records_what_it_would_do_and_acts_on_nothing()
    {
        var playbooks = With(AbuseClass.Spam, Defaults.For(AbuseClass.Spam) with { DryRun = true });
        var state = Notified(playbooks: playbooks);

        var transition = AtDeadline(state, SafetyFacts.None, playbooks);

        Assert.Equal(CaseStatus.Escalated, transition.State.Status);
        Assert.Null(transition.State.SuspendedAt);
        Assert.Equal([new SendNotification(NotificationKind.DeadlineReached)], transition.Effects);
        var entry = Assert.Single(transition.History);
        Assert.Equal("would-suspend (dry run)", entry.What);
        Assert.Equal("playbook:spam.dryRun=true", entry.Rule);
        Assert.Equal(4, entry.Safeties!.Count);
        Assert.All(entry.Safeties, line => Assert.Contains(": pass (", line, StringComparison.Ordinal));
    }

    [Fact]
    public void A_dry_run_that_the_safeties_would_block_says_so_and_trips_nothing()
    {
        var playbooks = With(AbuseClass.Spam, Defaults.For(AbuseClass.Spam) with { DryRun = true });
        var state = Notified(customerSince: LongStanding, playbooks: playbooks);

        var transition = AtDeadline(state, SafetyFacts.None with { AutomatedSuspensionsLastHour = 50 }, playbooks);

        Assert.Equal(CaseStatus.Escalated, transition.State.Status);
        Assert.Equal([new SendNotification(NotificationKind.DeadlineReached)], transition.Effects);
        var entry = Assert.Single(transition.History);
        Assert.Equal("would-hold-suspension (dry run)", entry.What);
        Assert.Contains("customer-age, circuit-breaker", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stale_deadline_does_not_suspend()
    {
        var state = Notified();
        var extended = Transitions(Decide(state, new OpsAction("extend", "alice", null), Now.AddHours(1))).State;

        var stale = Unchanged(Decide(extended, new TimerDue(TimerKind.Deadline, state.Version, SafetyFacts.None), Deadline));

        Assert.Contains("stale", stale.Why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CaseStatus.SuspensionPending)]
    [InlineData(CaseStatus.Suspended)]
    [InlineData(CaseStatus.Disputed)]
    [InlineData(CaseStatus.Reinstated)]
    public void A_current_deadline_outside_notified_does_nothing(CaseStatus status)
    {
        var state = Notified() with { Status = status };

        Unchanged(Decide(state, new TimerDue(TimerKind.Deadline, state.Version, SafetyFacts.None), Deadline));
    }

    [Fact]
    public void A_suspension_approved_by_ops_is_not_counted_as_automated()
    {
        var pending = AtDeadline(Notified(customerSince: LongStanding), SafetyFacts.None).State;

        var transition = Transitions(Decide(pending, new OpsAction("approve-suspension", "erin", "ignored three notices"), Deadline.AddHours(1)));

        Assert.Equal(CaseStatus.Suspended, transition.State.Status);
        Assert.Equal(Deadline.AddHours(1), transition.State.SuspendedAt);
        Assert.Equal(pending.Version + 1, transition.State.Version);
        Assert.Equal(
            [new PlatformAction(PlatformActionKind.Suspend, "approved by erin: ignored three notices"), new SendNotification(NotificationKind.Suspended)],
            transition.Effects);
        Assert.Equal(new HistoryEntry(Deadline.AddHours(1), "suspended", "erin", "ops:approve-suspension", "ignored three notices"), Assert.Single(transition.History));
    }

    /// <summary>Transitions hold lists, which records compare by reference; compare their contents.</summary>
    private sealed class TransitionComparer : IEqualityComparer<Transition>
    {
        public bool Equals(Transition? x, Transition? y) =>
            x is not null && y is not null && x.State == y.State
            && x.Effects.SequenceEqual(y.Effects)
            && x.History.Select(h => (h.At, h.What, h.Actor, h.Rule, h.Detail, string.Join("\n", h.Safeties ?? []))).SequenceEqual(
                y.History.Select(h => (h.At, h.What, h.Actor, h.Rule, h.Detail, string.Join("\n", h.Safeties ?? []))));

        public int GetHashCode(Transition obj) => obj.State.GetHashCode();
    }
}
