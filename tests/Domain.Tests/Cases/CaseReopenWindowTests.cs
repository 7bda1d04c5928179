using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;
using static AbuseDesk.Domain.Tests.Cases.CaseFixtures;

namespace AbuseDesk.Domain.Tests.Cases;

/// <summary>New events for an ended case: within the reopen window the case comes back, otherwise a new case opens.</summary>
public class CaseReopenWindowTests
{
    private static readonly PlaybookSet SevenDays = Defaults with { ReopenWindow = TimeSpan.FromDays(7) };
    private static readonly DateTimeOffset EndedAt = Now.AddHours(5);

    public static TheoryData<CaseStatus> EndedStatuses => new() { CaseStatus.Resolved, CaseStatus.Closed };

    private static CaseState Ended(CaseStatus status) => status == CaseStatus.Resolved
        ? Resolved(EndedAt)
        : Transitions(Decide(Notified(), Ops("close"), EndedAt)).State;

    [Theory]
    [MemberData(nameof(EndedStatuses))]
    public void Within_the_window_the_case_reopens_with_a_fresh_deadline_and_a_new_notice(CaseStatus status)
    {
        var ended = Ended(status) with { EventCount = 4 };
        var at = EndedAt.AddDays(6);

        var transition = Transitions(Decide(ended, new EventsAfterEnd(), at, SevenDays));

        var state = transition.State;
        Assert.Equal(CaseStatus.Notified, state.Status);
        Assert.True(state.Status.IsOpen());
        Assert.Null(state.EndedAt);
        Assert.Null(state.Resolution);
        Assert.Equal(at.AddHours(48), state.Deadline);
        Assert.Equal(ended.Version + 1, state.Version);
        Assert.Equal(at, state.LastNoticeAt);
        Assert.Equal(4, state.EventsAtLastNotice);
        Assert.Equal(
            [
                new SendNotification(NotificationKind.FirstNotice),
                new ArmTimer(TimerKind.Reminder, at.AddHours(24), state.Version),
                new ArmTimer(TimerKind.Deadline, at.AddHours(48), state.Version),
            ],
            transition.Effects);
        var entry = Assert.Single(transition.History);
        Assert.Equal("reopened by new events", entry.What);
        Assert.Equal(CaseStateMachine.System, entry.Actor);
        Assert.Equal("playbooks:reopenWindow=P7D", entry.Rule);
    }

    [Theory]
    [MemberData(nameof(EndedStatuses))]
    public void Outside_the_window_the_events_belong_to_a_new_case(CaseStatus status)
    {
        var refused = IsRefused(Decide(Ended(status), new EventsAfterEnd(), EndedAt.AddDays(8), SevenDays));

        Assert.Equal("ended outside the reopen window", refused.Reason);
        Assert.Empty(refused.Allowed);
    }

    [Fact]
    public void The_window_is_open_at_its_last_instant_only_before_it_closes()
    {
        IsRefused(Decide(Ended(CaseStatus.Closed), new EventsAfterEnd(), EndedAt.AddDays(7), SevenDays));
        Transitions(Decide(Ended(CaseStatus.Closed), new EventsAfterEnd(), EndedAt.AddDays(7).AddSeconds(-1), SevenDays));
    }

    [Fact]
    public void Without_a_configured_window_an_ended_case_never_reopens()
    {
        Assert.Null(Defaults.ReopenWindow);

        var refused = IsRefused(Decide(Ended(CaseStatus.Resolved), new EventsAfterEnd(), EndedAt.AddMinutes(1)));

        Assert.Equal("ended outside the reopen window", refused.Reason);
    }

    [Fact]
    public void A_case_ended_before_the_end_time_was_kept_does_not_reopen()
    {
        var legacy = Ended(CaseStatus.Closed) with { EndedAt = null };

        IsRefused(Decide(legacy, new EventsAfterEnd(), EndedAt.AddMinutes(1), SevenDays));
    }

    [Fact]
    public void On_a_case_that_is_open_again_the_events_are_just_new_events()
    {
        // Two reports for the same key racing: the first reopened the case, the second must not open another.
        var reopened = Transitions(Decide(Ended(CaseStatus.Closed), new EventsAfterEnd(), EndedAt.AddDays(1), SevenDays)).State;

        var transition = Transitions(Decide(reopened with { EventCount = reopened.EventCount + 2 }, new EventsAfterEnd(), EndedAt.AddDays(1).AddMinutes(1), SevenDays));

        Assert.Equal(CaseStatus.Notified, transition.State.Status);
        Assert.Equal(TimerKind.Digest, Single<ArmTimer>(transition).Kind);
    }

    [Fact]
    public void A_playbook_that_does_not_notify_reopens_to_ops()
    {
        var quietPlaybook = new Playbook(false, TimeSpan.FromHours(24), TimeSpan.FromHours(12), DeadlineAction.Suspend);
        var playbooks = With(AbuseClass.Spam, quietPlaybook, SevenDays);
        var closed = Ended(CaseStatus.Closed);

        var transition = Transitions(Decide(closed, new EventsAfterEnd(), EndedAt.AddDays(1), playbooks));

        Assert.Equal(CaseStatus.Escalated, transition.State.Status);
        Assert.Null(transition.State.Deadline);
        Assert.Empty(transition.Effects);
    }
}
