using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;
using static AbuseDesk.Domain.Tests.Cases.CaseFixtures;

namespace AbuseDesk.Domain.Tests.Cases;

/// <summary>
/// New events on a notified case: at most one mail per digest window (24h by default), never one per event. A
/// case whose window closed asks for its customer's digest; the digest mail tells the case what it covered.
/// </summary>
public class CaseDigestTests
{
    private static readonly DateTimeOffset WindowEnds = Now.AddHours(24);

    /// <summary>The assignment has already counted the new events when events-added reaches the state machine.</summary>
    private static CaseState WithEvents(CaseState state, int count) => state with { EventCount = count };

    private static Transition Digest(CaseState state, DateTimeOffset at, int version = 0) =>
        Transitions(Decide(state, new TimerDue(TimerKind.Digest, version), at));

    [Fact]
    public void New_events_inside_the_window_arm_one_digest_for_the_end_of_the_window()
    {
        var state = WithEvents(Notified(), 3);

        var transition = Transitions(Decide(state, new EventsAdded(), Now.AddHours(2)));

        Assert.Equal([new ArmTimer(TimerKind.Digest, WindowEnds, state.Version)], transition.Effects);
        Assert.Equal(state with { DigestDueAt = WindowEnds }, transition.State);
        var entry = Assert.Single(transition.History);
        Assert.Equal("digest-scheduled", entry.What);
        Assert.Equal("playbooks:digestWindow", entry.Rule);
    }

    [Fact]
    public void More_events_while_a_digest_is_pending_change_nothing()
    {
        var armed = Transitions(Decide(WithEvents(Notified(), 3), new EventsAdded(), Now.AddHours(2))).State;

        var again = Unchanged(Decide(WithEvents(armed, 9), new EventsAdded(), Now.AddHours(3)));

        Assert.Contains("already due", again.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void The_digest_timer_asks_for_the_customers_digest_and_keeps_the_news_pending()
    {
        var armed = WithEvents(Transitions(Decide(WithEvents(Notified(), 3), new EventsAdded(), Now.AddHours(2))).State, 6);

        var transition = Digest(armed, WindowEnds, armed.Version);

        Assert.Equal(new RequestCustomerDigest(5), Single<RequestCustomerDigest>(transition));
        Assert.Empty(transition.Effects.OfType<SendNotification>());
        Assert.Equal(WindowEnds, transition.State.DigestDueAt);
        Assert.Equal(1, transition.State.EventsAtLastNotice);
        Assert.Equal(armed.Version, transition.State.Version);
        var entry = Assert.Single(transition.History);
        Assert.Equal("digest-requested", entry.What);
        Assert.Equal(CaseStateMachine.System, entry.Actor);
    }

    [Fact]
    public void The_customers_digest_moves_the_cases_notice_bookkeeping()
    {
        var requested = Digest(WithEvents(Transitions(Decide(WithEvents(Notified(), 3), new EventsAdded(), Now.AddHours(2))).State, 6), WindowEnds).State;

        var transition = Transitions(Decide(requested, new CustomerDigestSent(WindowEnds.AddMinutes(1), 6), WindowEnds.AddMinutes(2)));

        Assert.Empty(transition.Effects);
        Assert.Null(transition.State.DigestDueAt);
        Assert.Equal(WindowEnds.AddMinutes(1), transition.State.LastNoticeAt);
        Assert.Equal(6, transition.State.EventsAtLastNotice);
        Assert.Equal(requested.Version, transition.State.Version);
        var entry = Assert.Single(transition.History);
        Assert.Equal("digest-sent", entry.What);
        Assert.Contains("5 new report(s)", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_customer_digest_told_twice_changes_nothing()
    {
        var requested = Digest(WithEvents(Transitions(Decide(WithEvents(Notified(), 3), new EventsAdded(), Now.AddHours(2))).State, 6), WindowEnds).State;
        var told = Transitions(Decide(requested, new CustomerDigestSent(WindowEnds, 6), WindowEnds)).State;

        var again = Unchanged(Decide(told, new CustomerDigestSent(WindowEnds, 6), WindowEnds.AddSeconds(5)));

        Assert.Contains("already heard", again.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Events_that_arrive_while_the_digest_is_composed_wait_for_the_next_window()
    {
        var requested = Digest(WithEvents(Transitions(Decide(WithEvents(Notified(), 3), new EventsAdded(), Now.AddHours(2))).State, 6), WindowEnds).State;

        var transition = Transitions(Decide(WithEvents(requested, 8), new CustomerDigestSent(WindowEnds, 6), WindowEnds));

        Assert.Equal([new ArmTimer(TimerKind.Digest, WindowEnds.AddHours(24), requested.Version)], transition.Effects);
        Assert.Equal(WindowEnds.AddHours(24), transition.State.DigestDueAt);
        Assert.Equal(6, transition.State.EventsAtLastNotice);
    }

    [Fact]
    public void The_same_digest_timer_delivered_twice_asks_once()
    {
        var armed = Transitions(Decide(WithEvents(Notified(), 3), new EventsAdded(), Now.AddHours(2))).State;
        var told = Transitions(Decide(Digest(armed, WindowEnds).State, new CustomerDigestSent(WindowEnds, 3), WindowEnds)).State;

        var twice = Unchanged(Decide(told, new TimerDue(TimerKind.Digest, armed.Version), WindowEnds.AddSeconds(5)));

        Assert.Contains("no digest pending", twice.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Events_after_the_window_has_passed_are_sent_at_once()
    {
        var state = WithEvents(Notified(), 2);

        var transition = Transitions(Decide(state, new EventsAdded(), Now.AddHours(30)));

        Assert.Equal([new RequestCustomerDigest(1)], transition.Effects);
        Assert.Equal(Now.AddHours(30), transition.State.DigestDueAt);
        Assert.Equal(1, transition.State.EventsAtLastNotice);
    }

    [Fact]
    public void Right_after_a_digest_new_events_wait_for_the_next_window()
    {
        var requested = Transitions(Decide(WithEvents(Notified(), 2), new EventsAdded(), Now.AddHours(30))).State;
        var sent = Transitions(Decide(requested, new CustomerDigestSent(Now.AddHours(30), 2), Now.AddHours(30))).State;

        var transition = Transitions(Decide(WithEvents(sent, 3), new EventsAdded(), Now.AddHours(31)));

        Assert.Equal([new ArmTimer(TimerKind.Digest, Now.AddHours(54), sent.Version)], transition.Effects);
    }

    [Fact]
    public void Digests_ignore_the_version_because_a_plan_change_does_not_read_the_customers_mail()
    {
        var armed = Transitions(Decide(WithEvents(Notified(), 3), new EventsAdded(), Now.AddHours(2))).State;
        // A dispute bumps the version (and acknowledges, which is a notice) — then more events come.
        var disputed = Transitions(Decide(armed, new CustomerResolution(ResolutionKind.Disputed, "not us"), Now.AddHours(4))).State;
        var rearmed = Transitions(Decide(WithEvents(disputed, 4), new EventsAdded(), Now.AddHours(5))).State;
        Assert.NotEqual(armed.Version, rearmed.Version);

        var transition = Digest(rearmed, Now.AddHours(28), version: armed.Version);

        Assert.Equal(new RequestCustomerDigest(1), Single<RequestCustomerDigest>(transition));
    }

    /// <summary>
    /// A reminder after the digest was armed already told the customer everything; the digest timer it leaves
    /// behind must neither send a stale digest nor, firing early, jump the queue of a digest armed later.
    /// </summary>
    [Fact]
    public void Another_notice_in_between_supersedes_the_pending_digest()
    {
        var armed = Transitions(Decide(WithEvents(Notified(), 3), new EventsAdded(), Now.AddHours(2))).State;
        var reminded = Transitions(Decide(armed, new TimerDue(TimerKind.Reminder, armed.Version), Now.AddHours(20))).State;
        Assert.Null(reminded.DigestDueAt);
        Assert.Equal(3, reminded.EventsAtLastNotice);

        Unchanged(Decide(reminded, new TimerDue(TimerKind.Digest, armed.Version), WindowEnds));

        var rearm = Transitions(Decide(WithEvents(reminded, 4), new EventsAdded(), Now.AddHours(21)));
        Assert.Equal([new ArmTimer(TimerKind.Digest, Now.AddHours(44), reminded.Version)], rearm.Effects);

        var early = Unchanged(Decide(rearm.State, new TimerDue(TimerKind.Digest, armed.Version), WindowEnds));
        Assert.Contains("earlier digest timer", early.Why, StringComparison.Ordinal);
        Assert.Equal(new RequestCustomerDigest(1), Single<RequestCustomerDigest>(Digest(rearm.State, Now.AddHours(44))));
    }

    [Fact]
    public void A_digest_timer_with_nothing_new_changes_nothing()
    {
        var state = Notified() with { DigestDueAt = WindowEnds };

        var why = Unchanged(Decide(state, new TimerDue(TimerKind.Digest, 1), WindowEnds)).Why;

        Assert.Contains("nothing new", why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CaseStatus.Resolved)]
    [InlineData(CaseStatus.Closed)]
    public void No_digests_on_ended_cases(CaseStatus status)
    {
        var ended = WithEvents(Notified(), 5) with { Status = status, DigestDueAt = WindowEnds };

        Unchanged(Decide(ended, new TimerDue(TimerKind.Digest, 1), WindowEnds));
        Unchanged(Decide(ended, new EventsAdded(), Now.AddHours(30)));
    }

    [Fact]
    public void No_digests_when_the_playbook_does_not_notify()
    {
        var playbooks = With(AbuseClass.Ddos, new Playbook(false, TimeSpan.FromHours(24), TimeSpan.FromHours(12), DeadlineAction.Escalate));
        var quiet = Transitions(Decide(NewCase(AbuseClass.Ddos), new EventsAdded(), Now, playbooks)).State;

        Unchanged(Decide(WithEvents(quiet, 4), new EventsAdded(), Now.AddDays(2), playbooks));
    }

    [Theory]
    [InlineData(CaseStatus.Escalated)]
    [InlineData(CaseStatus.SuspensionPending)]
    [InlineData(CaseStatus.Suspended)]
    [InlineData(CaseStatus.PendingReview)]
    [InlineData(CaseStatus.Reinstated)]
    public void Every_open_notified_status_gets_digests(CaseStatus status)
    {
        var state = WithEvents(Notified(), 2) with { Status = status };

        var transition = Transitions(Decide(state, new EventsAdded(), Now.AddHours(25)));

        Assert.Equal(new RequestCustomerDigest(1), Single<RequestCustomerDigest>(transition));
        Assert.Equal(status, transition.State.Status);
    }

    [Fact]
    public void A_row_from_before_digests_falls_back_to_the_first_notice_time()
    {
        // Cases notified before LastNoticeAt existed: NotifiedAt is the last notice we know of.
        var legacy = WithEvents(Notified(), 4) with { LastNoticeAt = null, EventsAtLastNotice = 0 };

        var transition = Transitions(Decide(legacy, new EventsAdded(), Now.AddHours(2)));

        Assert.Equal([new ArmTimer(TimerKind.Digest, WindowEnds, legacy.Version)], transition.Effects);
    }
}
