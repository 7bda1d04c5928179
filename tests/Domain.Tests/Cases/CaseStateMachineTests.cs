using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;
using Microsoft.Extensions.Time.Testing;

namespace AbuseDesk.Domain.Tests.Cases;

public class CaseStateMachineTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly PlaybookSet Defaults = PlaybookSet.Defaults;

    internal static CaseState NewCase(AbuseClass abuseClass = AbuseClass.Spam) => new()
    {
        CaseId = "20261120-0123456789ab",
        CustomerId = "cust-a",
        ResourceId = "web-1",
        AbuseClass = abuseClass,
        ContactEmail = "noc@cust-a.example",
        CustomerSince = new DateOnly(2020, 1, 1),
        Ip = "198.51.100.7",
        EventCount = 1,
        OpenedAt = Now,
        LastEventAt = Now,
    };

    private static PlaybookSet With(AbuseClass abuseClass, Playbook playbook) =>
        Defaults with { ByClass = new Dictionary<AbuseClass, Playbook>(Defaults.ByClass) { [abuseClass] = playbook } };

    private static Transition Transitions(CaseDecision decision) =>
        Assert.IsType<Transition>(decision);

    private static Refused IsRefused(CaseDecision decision) =>
        Assert.IsType<Refused>(decision);

    /// <summary>A spam case that has just been notified at <see cref="Now"/> (deadline Now+48h, version 1).</summary>
    private static CaseState Notified(AbuseClass abuseClass = AbuseClass.Spam, PlaybookSet? playbooks = null) =>
        Transitions(CaseStateMachine.Decide(NewCase(abuseClass), new EventsAdded(), playbooks ?? Defaults, Now)).State;

    private static ArmTimer Timer(Transition transition, TimerKind kind) =>
        Assert.Single(transition.Effects.OfType<ArmTimer>(), t => t.Kind == kind);

    // ---- first notice ----------------------------------------------------------------------------

    [Fact]
    public void A_new_spam_case_is_notified_with_a_48h_deadline_and_a_24h_reminder()
    {
        var state = NewCase(AbuseClass.Spam);

        var transition = Transitions(CaseStateMachine.Decide(state, new EventsAdded(), Defaults, Now));

        Assert.Equal(CaseStatus.Notified, transition.State.Status);
        Assert.Equal(Now, transition.State.NotifiedAt);
        Assert.Equal(Now.AddHours(48), transition.State.Deadline);
        Assert.Equal(state.Version + 1, transition.State.Version);
        Assert.Equal(
            new CaseEffect[]
            {
                new SendNotification(NotificationKind.FirstNotice),
                new ArmTimer(TimerKind.Reminder, Now.AddHours(24), transition.State.Version),
                new ArmTimer(TimerKind.Deadline, Now.AddHours(48), transition.State.Version),
            },
            transition.Effects);
        var entry = Assert.Single(transition.History);
        Assert.Equal(Now, entry.At);
        Assert.Equal("notified", entry.What);
        Assert.Equal(CaseStateMachine.System, entry.Actor);
        Assert.Equal("playbook:spam.notify", entry.Rule);
        Assert.Contains(Now.AddHours(48).ToString("O"), entry.Detail, StringComparison.Ordinal);
        // Nothing but the plan and the notice bookkeeping (for digests) changed.
        Assert.Equal(
            state with { Status = CaseStatus.Notified, NotifiedAt = Now, Deadline = Now.AddHours(48), Version = 1, LastNoticeAt = Now, EventsAtLastNotice = 1 },
            transition.State);
    }

    [Theory]
    [InlineData(AbuseClass.Spam, 48, 24)]
    [InlineData(AbuseClass.Phishing, 24, 12)]
    [InlineData(AbuseClass.Malware, 24, 12)]
    [InlineData(AbuseClass.Botnet, 24, 12)]
    [InlineData(AbuseClass.Bruteforce, 48, 24)]
    [InlineData(AbuseClass.Copyright, 72, 36)]
    [InlineData(AbuseClass.Ddos, 72, 36)]
    [InlineData(AbuseClass.Scanning, 72, 36)]
    [InlineData(AbuseClass.Fraud, 72, 36)]
    [InlineData(AbuseClass.Other, 72, 36)]
    public void The_first_notice_follows_the_class_playbook_or_the_default(AbuseClass abuseClass, int deadlineHours, int reminderHours)
    {
        var transition = Transitions(CaseStateMachine.Decide(NewCase(abuseClass), new EventsAdded(), Defaults, Now));

        Assert.Equal(CaseStatus.Notified, transition.State.Status);
        Assert.Equal(Now.AddHours(deadlineHours), transition.State.Deadline);
        Assert.Equal(Now.AddHours(deadlineHours), Timer(transition, TimerKind.Deadline).DueAt);
        Assert.Equal(Now.AddHours(reminderHours), Timer(transition, TimerKind.Reminder).DueAt);
        Assert.Equal($"playbook:{abuseClass.ToWireName()}.notify", Assert.Single(transition.History).Rule);
    }

    [Fact]
    public void A_vulnerable_service_case_is_informational_without_deadline_or_timers()
    {
        var transition = Transitions(CaseStateMachine.Decide(NewCase(AbuseClass.VulnerableService), new EventsAdded(), Defaults, Now));

        Assert.Equal(CaseStatus.Notified, transition.State.Status);
        Assert.Equal(Now, transition.State.NotifiedAt);
        Assert.Null(transition.State.Deadline);
        Assert.Equal([new SendNotification(NotificationKind.FirstNotice)], transition.Effects);
        Assert.Contains("informational", Assert.Single(transition.History).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_playbook_with_a_deadline_but_no_reminder_arms_only_the_deadline()
    {
        var playbooks = With(AbuseClass.Fraud, new Playbook(true, TimeSpan.FromHours(10), null, DeadlineAction.Escalate));

        var transition = Transitions(CaseStateMachine.Decide(NewCase(AbuseClass.Fraud), new EventsAdded(), playbooks, Now));

        Assert.Equal(Now.AddHours(10), Timer(transition, TimerKind.Deadline).DueAt);
        Assert.DoesNotContain(transition.Effects.OfType<ArmTimer>(), t => t.Kind == TimerKind.Reminder);
    }

    [Fact]
    public void A_playbook_that_does_not_notify_escalates_to_ops_silently()
    {
        var playbooks = With(AbuseClass.Ddos, new Playbook(false, TimeSpan.FromHours(24), TimeSpan.FromHours(12), DeadlineAction.Suspend));
        var state = NewCase(AbuseClass.Ddos);

        var transition = Transitions(CaseStateMachine.Decide(state, new EventsAdded(), playbooks, Now));

        Assert.Equal(CaseStatus.Escalated, transition.State.Status);
        Assert.Equal(state.Version + 1, transition.State.Version);
        Assert.Null(transition.State.NotifiedAt);
        Assert.Empty(transition.Effects);
        var entry = Assert.Single(transition.History);
        Assert.Equal("escalated", entry.What);
        Assert.Equal("playbook:ddos.notify=false", entry.Rule);
    }

    /// <summary>
    /// A redelivered events-added message finds nothing the customer has not heard about. (New events on a notified
    /// case become digests: see <see cref="CaseDigestTests"/>.)
    /// </summary>
    [Theory]
    [InlineData(CaseStatus.Notified)]
    [InlineData(CaseStatus.Escalated)]
    [InlineData(CaseStatus.PendingReview)]
    [InlineData(CaseStatus.Disputed)]
    [InlineData(CaseStatus.Suspended)]
    public void Events_added_with_nothing_new_since_the_last_notice_change_nothing(CaseStatus status)
    {
        var state = Notified() with { Status = status };
        Assert.Equal(state.EventCount, state.EventsAtLastNotice);

        var decision = CaseStateMachine.Decide(state, new EventsAdded(), Defaults, Now.AddDays(3));

        Assert.Contains("no events since the last notice", Assert.IsType<NoChange>(decision).Why, StringComparison.Ordinal);
    }

    // ---- timers ----------------------------------------------------------------------------------

    [Theory]
    [InlineData(TimerKind.Reminder, 0)]
    [InlineData(TimerKind.Deadline, 0)]
    [InlineData(TimerKind.Deadline, 2)]
    [InlineData(TimerKind.Reminder, 7)]
    public void A_timer_armed_for_another_version_is_stale_and_changes_nothing(TimerKind kind, int version)
    {
        var state = Notified();
        Assert.Equal(1, state.Version);

        var decision = CaseStateMachine.Decide(state, new TimerDue(kind, version), Defaults, Now.AddHours(48));

        Assert.Contains("stale", Assert.IsType<NoChange>(decision).Why, StringComparison.Ordinal);
    }

    [Fact]
    public void The_reminder_sends_a_reminder_and_leaves_the_plan_alone()
    {
        var state = Notified();

        var transition = Transitions(CaseStateMachine.Decide(state, new TimerDue(TimerKind.Reminder, state.Version), Defaults, Now.AddHours(24)));

        // Only the notice bookkeeping moves: the reminder counts as the last thing the customer was told.
        Assert.Equal(state with { LastNoticeAt = Now.AddHours(24) }, transition.State);
        Assert.Equal([new SendNotification(NotificationKind.Reminder)], transition.Effects);
        var entry = Assert.Single(transition.History);
        Assert.Equal("reminded", entry.What);
        Assert.Equal("playbook:spam.reminder", entry.Rule);
        Assert.Equal(Now.AddHours(24), entry.At);
    }

    // Deadlines that suspend, with their safeties, are in CaseDeadlineTests.
    [Theory]
    [InlineData(AbuseClass.Bruteforce, "escalate")]
    [InlineData(AbuseClass.Copyright, "escalate")]
    [InlineData(AbuseClass.Other, "escalate")]
    public void The_deadline_escalates_to_ops_and_tells_the_customer(AbuseClass abuseClass, string onDeadline)
    {
        var state = Notified(abuseClass);
        var at = state.Deadline!.Value;

        var transition = Transitions(CaseStateMachine.Decide(state, new TimerDue(TimerKind.Deadline, state.Version), Defaults, at));

        Assert.Equal(CaseStatus.Escalated, transition.State.Status);
        Assert.Equal(state.Version + 1, transition.State.Version);
        Assert.Equal([new SendNotification(NotificationKind.DeadlineReached)], transition.Effects);
        var entry = Assert.Single(transition.History);
        Assert.Equal("escalated", entry.What);
        Assert.Equal($"playbook:{abuseClass.ToWireName()}.onDeadline={onDeadline}", entry.Rule);
        Assert.Null(entry.Safeties); // escalating does not act on the customer, so no safety is involved
        Assert.DoesNotContain(transition.Effects, e => e is PlatformAction);
    }

    [Fact]
    public void The_deadline_closes_the_case_when_the_playbook_says_close()
    {
        var playbooks = With(AbuseClass.Scanning, new Playbook(true, TimeSpan.FromHours(6), TimeSpan.FromHours(3), DeadlineAction.Close));
        var state = Notified(AbuseClass.Scanning, playbooks);

        var transition = Transitions(CaseStateMachine.Decide(state, new TimerDue(TimerKind.Deadline, state.Version), playbooks, Now.AddHours(6)));

        Assert.Equal(CaseStatus.Closed, transition.State.Status);
        Assert.Equal(state.Version + 1, transition.State.Version);
        Assert.Equal(Now.AddHours(6), transition.State.EndedAt);
        Assert.Empty(transition.Effects);
        Assert.Equal("playbook:scanning.onDeadline=close", Assert.Single(transition.History).Rule);
    }

    [Fact]
    public void After_the_deadline_the_reminder_armed_with_it_is_stale()
    {
        var state = Notified();
        var escalated = Transitions(CaseStateMachine.Decide(state, new TimerDue(TimerKind.Deadline, state.Version), Defaults, Now.AddHours(48))).State;

        // A late reminder (queue backlog) must not send a second mail after the deadline mail.
        Assert.IsType<NoChange>(CaseStateMachine.Decide(escalated, new TimerDue(TimerKind.Reminder, state.Version), Defaults, Now.AddHours(49)));
        Assert.IsType<NoChange>(CaseStateMachine.Decide(escalated, new TimerDue(TimerKind.Deadline, state.Version), Defaults, Now.AddHours(49)));
    }

    [Theory]
    [InlineData(CaseStatus.Escalated)]
    [InlineData(CaseStatus.Resolved)]
    [InlineData(CaseStatus.Closed)]
    [InlineData(CaseStatus.Disputed)]
    public void A_current_timer_does_nothing_outside_the_notified_status(CaseStatus status)
    {
        var state = Notified() with { Status = status };

        Assert.IsType<NoChange>(CaseStateMachine.Decide(state, new TimerDue(TimerKind.Deadline, state.Version), Defaults, Now.AddHours(48)));
        Assert.IsType<NoChange>(CaseStateMachine.Decide(state, new TimerDue(TimerKind.Reminder, state.Version), Defaults, Now.AddHours(24)));
    }

    // ---- customer resolutions --------------------------------------------------------------------

    [Fact]
    public void Fixed_with_a_description_resolves_the_case_and_makes_its_timers_stale()
    {
        var state = Notified();
        var at = Now.AddHours(5);

        var transition = Transitions(CaseStateMachine.Decide(state, new CustomerResolution(ResolutionKind.Fixed, "  Closed the open relay.  "), Defaults, at));

        Assert.Equal(CaseStatus.Resolved, transition.State.Status);
        Assert.Equal("fixed", transition.State.Resolution);
        Assert.Equal("Closed the open relay.", transition.State.ResolutionNote);
        Assert.Equal(at, transition.State.ResolvedAt);
        Assert.Equal(at, transition.State.EndedAt);
        Assert.Equal(state.Version + 1, transition.State.Version);
        Assert.Equal([new SendNotification(NotificationKind.ResolutionAccepted)], transition.Effects);
        var entry = Assert.Single(transition.History);
        Assert.Equal("resolved", entry.What);
        Assert.Equal(CaseStateMachine.Customer, entry.Actor);
        Assert.Equal("Closed the open relay.", entry.Detail);
        Assert.Equal("playbook:spam.resolutionNeedsApproval=false", entry.Rule);

        Assert.IsType<NoChange>(CaseStateMachine.Decide(transition.State, new TimerDue(TimerKind.Reminder, state.Version), Defaults, Now.AddHours(24)));
        Assert.IsType<NoChange>(CaseStateMachine.Decide(transition.State, new TimerDue(TimerKind.Deadline, state.Version), Defaults, Now.AddHours(48)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \n\t ")]
    public void Fixed_without_a_description_is_refused(string? text)
    {
        var state = Notified();

        var refused = IsRefused(CaseStateMachine.Decide(state, new CustomerResolution(ResolutionKind.Fixed, text), Defaults, Now));

        Assert.Contains("description", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(["fixed", "disputed", "more-time"], refused.Allowed);
    }

    [Fact]
    public void Disputed_with_a_reason_records_the_dispute_for_ops()
    {
        var state = Notified();

        var transition = Transitions(CaseStateMachine.Decide(state, new CustomerResolution(ResolutionKind.Disputed, " That IP is a shared NAT of the reporter. "), Defaults, Now.AddHours(1)));

        Assert.Equal(CaseStatus.Disputed, transition.State.Status);
        Assert.Equal("disputed", transition.State.Resolution);
        Assert.Equal("That IP is a shared NAT of the reporter.", transition.State.ResolutionNote);
        Assert.Equal(state.Version + 1, transition.State.Version);
        // The customer gets an acknowledgement that a person will look at it.
        Assert.Equal([new SendNotification(NotificationKind.Escalated)], transition.Effects);
        var entry = Assert.Single(transition.History);
        Assert.Equal("disputed", entry.What);
        Assert.Equal(CaseStateMachine.Customer, entry.Actor);
        // The deadline stops: the old timers are stale now.
        Assert.IsType<NoChange>(CaseStateMachine.Decide(transition.State, new TimerDue(TimerKind.Deadline, state.Version), Defaults, Now.AddHours(48)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Disputed_without_a_reason_is_refused(string? text)
    {
        var refused = IsRefused(CaseStateMachine.Decide(Notified(), new CustomerResolution(ResolutionKind.Disputed, text), Defaults, Now));

        Assert.Contains("reason", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(["fixed", "disputed", "more-time"], refused.Allowed);
    }

    [Fact]
    public void More_time_moves_the_deadline_once_and_the_old_deadline_timer_becomes_stale()
    {
        var state = Notified();
        var oldDeadline = state.Deadline!.Value;

        var transition = Transitions(CaseStateMachine.Decide(state, new CustomerResolution(ResolutionKind.MoreTime, "waiting for the vendor patch"), Defaults, Now.AddHours(30)));
        var extended = transition.State;

        Assert.Equal(CaseStatus.Notified, extended.Status);
        Assert.Equal(oldDeadline.AddHours(48), extended.Deadline);
        Assert.True(extended.ExtensionUsed);
        Assert.Equal(state.Version + 1, extended.Version);
        Assert.Equal([new ArmTimer(TimerKind.Deadline, oldDeadline.AddHours(48), extended.Version)], transition.Effects);
        var entry = Assert.Single(transition.History);
        Assert.Equal("extended", entry.What);
        Assert.Equal(CaseStateMachine.Customer, entry.Actor);
        Assert.Contains("waiting for the vendor patch", entry.Detail, StringComparison.Ordinal);

        // The old deadline fires on schedule and must do nothing ...
        Assert.IsType<NoChange>(CaseStateMachine.Decide(extended, new TimerDue(TimerKind.Deadline, state.Version), Defaults, oldDeadline));
        // ... while the new one acts (a long-standing customer: held for a person, not suspended).
        Assert.Equal(CaseStatus.SuspensionPending, Transitions(CaseStateMachine.Decide(extended, new TimerDue(TimerKind.Deadline, extended.Version), Defaults, oldDeadline.AddHours(48))).State.Status);

        // Only once.
        Assert.Equal([ResolutionKind.Fixed, ResolutionKind.Disputed], CaseStateMachine.ResolutionsAllowed(extended));
        var again = IsRefused(CaseStateMachine.Decide(extended, new CustomerResolution(ResolutionKind.MoreTime, null), Defaults, Now.AddHours(40)));
        Assert.Equal(["fixed", "disputed"], again.Allowed);
        Assert.Contains("more-time", again.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void More_time_needs_no_text()
    {
        var transition = Transitions(CaseStateMachine.Decide(Notified(), new CustomerResolution(ResolutionKind.MoreTime, null), Defaults, Now));

        Assert.True(transition.State.ExtensionUsed);
    }

    [Fact]
    public void More_time_is_not_offered_on_an_informational_case()
    {
        var state = Notified(AbuseClass.VulnerableService);

        Assert.Equal([ResolutionKind.Fixed, ResolutionKind.Disputed], CaseStateMachine.ResolutionsAllowed(state));
        var refused = IsRefused(CaseStateMachine.Decide(state, new CustomerResolution(ResolutionKind.MoreTime, null), Defaults, Now));
        Assert.Equal(["fixed", "disputed"], refused.Allowed);
    }

    [Theory]
    [InlineData(CaseStatus.New)]
    [InlineData(CaseStatus.Resolved)]
    [InlineData(CaseStatus.Closed)]
    [InlineData(CaseStatus.Terminated)]
    [InlineData(CaseStatus.PendingReview)]
    public void Resolutions_are_refused_when_the_case_offers_none(CaseStatus status)
    {
        var state = Notified() with { Status = status };

        Assert.Empty(CaseStateMachine.ResolutionsAllowed(state));
        foreach (var kind in Enum.GetValues<ResolutionKind>())
        {
            var refused = IsRefused(CaseStateMachine.Decide(state, new CustomerResolution(kind, "some text"), Defaults, Now));
            Assert.Empty(refused.Allowed);
            Assert.Contains(status.ToWireName(), refused.Reason, StringComparison.Ordinal);
            Assert.Contains(CaseStateMachine.Wire(kind), refused.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_second_fix_on_a_resolved_case_is_refused_with_the_empty_allowed_list()
    {
        var resolved = Transitions(CaseStateMachine.Decide(Notified(), new CustomerResolution(ResolutionKind.Fixed, "patched"), Defaults, Now)).State;

        var refused = IsRefused(CaseStateMachine.Decide(resolved, new CustomerResolution(ResolutionKind.Fixed, "patched again"), Defaults, Now.AddMinutes(1)));

        Assert.Empty(refused.Allowed);
        Assert.Equal("'fixed' is not possible while the case is resolved", refused.Reason);
    }

    [Fact]
    public void A_fix_is_accepted_on_an_escalated_case()
    {
        var state = Notified() with { Status = CaseStatus.Escalated, Version = 2 };

        var transition = Transitions(CaseStateMachine.Decide(state, new CustomerResolution(ResolutionKind.Fixed, "removed the malware"), Defaults, Now.AddHours(50)));

        Assert.Equal(CaseStatus.Resolved, transition.State.Status);
        Assert.Equal(3, transition.State.Version);
    }

    [Fact]
    public void A_fix_goes_to_pending_review_when_the_playbook_needs_approval()
    {
        var playbooks = With(AbuseClass.Phishing, new Playbook(true, TimeSpan.FromHours(24), TimeSpan.FromHours(12), DeadlineAction.Suspend, ResolutionNeedsApproval: true));
        var state = Notified(AbuseClass.Phishing, playbooks);

        var transition = Transitions(CaseStateMachine.Decide(state, new CustomerResolution(ResolutionKind.Fixed, "took the kit down"), playbooks, Now.AddHours(2)));

        Assert.Equal(CaseStatus.PendingReview, transition.State.Status);
        Assert.Equal("fixed", transition.State.Resolution);
        Assert.Equal("took the kit down", transition.State.ResolutionNote);
        Assert.Equal(state.Version + 1, transition.State.Version);
        // Not "accepted" yet: no thank-you mail.
        Assert.Empty(transition.Effects);
        var entry = Assert.Single(transition.History);
        Assert.Equal("resolution-pending-review", entry.What);
        Assert.Equal("playbook:phishing.resolutionNeedsApproval=true", entry.Rule);
        Assert.True(transition.State.Status.IsOpen());
        Assert.Equal(["approve-resolution", "reject-resolution", "close", "message", "request-termination"], CaseStateMachine.OpsActionsAllowed(transition.State));
        Assert.Empty(CaseStateMachine.ResolutionsAllowed(transition.State));
        // The deadline no longer runs against the customer.
        Assert.IsType<NoChange>(CaseStateMachine.Decide(transition.State, new TimerDue(TimerKind.Deadline, state.Version), playbooks, Now.AddHours(24)));
    }

    // ---- conversation ----------------------------------------------------------------------------

    [Fact]
    public void A_customer_message_is_recorded_without_changing_the_plan()
    {
        var state = Notified();

        var transition = Transitions(CaseStateMachine.Decide(state, new CustomerMessage("  Which mail server? \n"), Defaults, Now.AddHours(1)));

        Assert.Equal(state, transition.State);
        Assert.Empty(transition.Effects);
        var entry = Assert.Single(transition.History);
        Assert.Equal("customer-message", entry.What);
        Assert.Equal(CaseStateMachine.Customer, entry.Actor);
        Assert.Equal("Which mail server?", entry.Detail);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_customer_message_is_refused(string text)
    {
        var refused = IsRefused(CaseStateMachine.Decide(Notified(), new CustomerMessage(text), Defaults, Now));

        Assert.Equal(["message"], refused.Allowed);
    }

    // ---- ops actions -----------------------------------------------------------------------------

    [Theory]
    [InlineData(CaseStatus.New, false, new[] { "close", "message", "request-termination" })]
    [InlineData(CaseStatus.Notified, true, new[] { "close", "extend", "message", "request-termination" })]
    [InlineData(CaseStatus.Notified, false, new[] { "close", "message", "request-termination" })]
    [InlineData(CaseStatus.Escalated, true, new[] { "approve-suspension", "close", "extend", "message", "request-termination" })]
    [InlineData(CaseStatus.Escalated, false, new[] { "approve-suspension", "close", "message", "request-termination" })]
    [InlineData(CaseStatus.Disputed, true, new[] { "approve-suspension", "close", "extend", "message", "request-termination" })]
    [InlineData(CaseStatus.SuspensionPending, true, new[] { "approve-suspension", "reject-suspension", "close", "extend", "message", "request-termination" })]
    [InlineData(CaseStatus.Suspended, true, new[] { "reinstate", "message", "request-termination" })]
    [InlineData(CaseStatus.Reinstated, true, new[] { "close", "message", "request-termination" })]
    [InlineData(CaseStatus.PendingReview, true, new[] { "approve-resolution", "reject-resolution", "close", "message", "request-termination" })]
    [InlineData(CaseStatus.Resolved, true, new[] { "reopen", "message" })]
    [InlineData(CaseStatus.Closed, false, new[] { "reopen", "message" })]
    [InlineData(CaseStatus.Terminated, true, new string[0])]
    public void Ops_actions_allowed_depend_on_the_status_and_the_deadline(CaseStatus status, bool hasDeadline, string[] expected)
    {
        var state = Notified() with { Status = status, Deadline = hasDeadline ? Now.AddHours(48) : null };

        Assert.Equal(expected, CaseStateMachine.OpsActionsAllowed(state));
    }

    [Fact]
    public void Ops_close_closes_the_case_and_records_who_and_why()
    {
        var state = Notified();

        var transition = Transitions(CaseStateMachine.Decide(state, new OpsAction("close", "alice", " duplicate of 20261119-aaaa "), Defaults, Now.AddHours(3)));

        Assert.Equal(CaseStatus.Closed, transition.State.Status);
        Assert.False(transition.State.Status.IsOpen());
        Assert.Equal(Now.AddHours(3), transition.State.EndedAt);
        Assert.Equal(state.Version + 1, transition.State.Version);
        Assert.Empty(transition.Effects);
        var entry = Assert.Single(transition.History);
        Assert.Equal(new HistoryEntry(Now.AddHours(3), "closed", "alice", "ops:close", "duplicate of 20261119-aaaa"), entry);
        Assert.IsType<NoChange>(CaseStateMachine.Decide(transition.State, new TimerDue(TimerKind.Deadline, state.Version), Defaults, Now.AddHours(48)));
    }

    [Fact]
    public void Ops_reopen_brings_a_resolved_case_back_and_clears_the_resolution()
    {
        var resolved = Transitions(CaseStateMachine.Decide(Notified(), new CustomerResolution(ResolutionKind.Fixed, "fixed it"), Defaults, Now.AddHours(1))).State;

        var transition = Transitions(CaseStateMachine.Decide(resolved, new OpsAction("reopen", "bob", "still spamming"), Defaults, Now.AddHours(2)));

        Assert.Equal(CaseStatus.Notified, transition.State.Status);
        Assert.True(transition.State.Status.IsOpen());
        Assert.Null(transition.State.Resolution);
        Assert.Null(transition.State.ResolutionNote);
        Assert.Null(transition.State.ResolvedAt);
        Assert.Equal(resolved.Version + 1, transition.State.Version);
        Assert.Equal(new HistoryEntry(Now.AddHours(2), "reopened", "bob", "ops:reopen", "still spamming"), Assert.Single(transition.History));
    }

    /// <summary>
    /// A reopened case is "notified" again. If it keeps a deadline, something must make that deadline act: a
    /// timer armed for the new version, due no earlier than now. Otherwise the case waits forever on a deadline
    /// that passed long ago (the timers armed before it was resolved are stale).
    /// </summary>
    [Fact]
    public void Ops_reopen_does_not_leave_a_notified_case_waiting_on_a_deadline_that_can_never_fire()
    {
        var resolved = Transitions(CaseStateMachine.Decide(Notified(), new CustomerResolution(ResolutionKind.Fixed, "fixed it"), Defaults, Now.AddHours(1))).State;
        var later = Now.AddDays(10);

        var transition = Transitions(CaseStateMachine.Decide(resolved, new OpsAction("reopen", "bob", "still spamming"), Defaults, later));

        Assert.True(transition.State.Status.IsOpen());
        if (transition.State.Status == CaseStatus.Notified && transition.State.Deadline is { } deadline)
        {
            Assert.True(deadline > later, $"reopened with a deadline in the past ({deadline:O})");
            var timer = Timer(transition, TimerKind.Deadline);
            Assert.Equal(transition.State.Version, timer.Version);
            Assert.Equal(deadline, timer.DueAt);
        }
    }

    [Fact]
    public void Ops_extend_adds_a_day_and_makes_the_old_deadline_timer_stale()
    {
        var state = Notified();

        var transition = Transitions(CaseStateMachine.Decide(state, new OpsAction("extend", "alice", "customer called"), Defaults, Now.AddHours(40)));

        Assert.Equal(Now.AddHours(72), transition.State.Deadline);
        Assert.Equal(state.Version + 1, transition.State.Version);
        Assert.False(transition.State.ExtensionUsed); // the customer's own extension is still available
        Assert.Equal([new ArmTimer(TimerKind.Deadline, Now.AddHours(72), transition.State.Version)], transition.Effects);
        var entry = Assert.Single(transition.History);
        Assert.Equal("extended", entry.What);
        Assert.Equal("alice", entry.Actor);
        Assert.Equal("ops:extend", entry.Rule);
        Assert.Contains("customer called", entry.Detail, StringComparison.Ordinal);
        Assert.IsType<NoChange>(CaseStateMachine.Decide(transition.State, new TimerDue(TimerKind.Deadline, state.Version), Defaults, Now.AddHours(48)));
    }

    /// <summary>An extension granted after the deadline passed must not produce a deadline that is already over.</summary>
    [Fact]
    public void Ops_extend_long_after_the_deadline_gives_a_deadline_in_the_future()
    {
        var state = Notified();
        var escalated = Transitions(CaseStateMachine.Decide(state, new TimerDue(TimerKind.Deadline, state.Version), Defaults, state.Deadline!.Value)).State;
        var later = state.Deadline!.Value.AddDays(3);

        var transition = Transitions(CaseStateMachine.Decide(escalated, new OpsAction("extend", "alice", "customer on holiday"), Defaults, later));

        Assert.True(transition.State.Deadline > later, $"extended to {transition.State.Deadline:O}, which is before now ({later:O})");
    }

    [Fact]
    public void Ops_message_is_sent_to_the_customer_without_changing_the_plan()
    {
        var state = Notified();

        var transition = Transitions(CaseStateMachine.Decide(state, new OpsAction("message", "carol", "  Please send the mail logs.  "), Defaults, Now.AddHours(2)));

        Assert.Equal(state with { LastNoticeAt = Now.AddHours(2) }, transition.State);
        Assert.Equal([new SendNotification(NotificationKind.OpsMessage, "Please send the mail logs.")], transition.Effects);
        Assert.Equal(new HistoryEntry(Now.AddHours(2), "ops-message", "carol", "ops:message", "Please send the mail logs."), Assert.Single(transition.History));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Ops_message_without_text_is_refused(string? reason)
    {
        var refused = IsRefused(CaseStateMachine.Decide(Notified(), new OpsAction("message", "carol", reason), Defaults, Now));

        Assert.Equal("a message needs text (in 'reason')", refused.Reason);
        Assert.Equal(["close", "extend", "message", "request-termination"], refused.Allowed);
    }

    [Theory]
    [InlineData(CaseStatus.Notified, "reopen", new[] { "close", "extend", "message", "request-termination" })]
    [InlineData(CaseStatus.Notified, "approve-suspension", new[] { "close", "extend", "message", "request-termination" })]
    [InlineData(CaseStatus.Notified, "approve-termination", new[] { "close", "extend", "message", "request-termination" })]
    [InlineData(CaseStatus.Resolved, "close", new[] { "reopen", "message" })]
    [InlineData(CaseStatus.Resolved, "extend", new[] { "reopen", "message" })]
    [InlineData(CaseStatus.Resolved, "request-termination", new[] { "reopen", "message" })]
    [InlineData(CaseStatus.Closed, "close", new[] { "reopen", "message" })]
    [InlineData(CaseStatus.PendingReview, "extend", new[] { "approve-resolution", "reject-resolution", "close", "message", "request-termination" })]
    [InlineData(CaseStatus.PendingReview, "reopen", new[] { "approve-resolution", "reject-resolution", "close", "message", "request-termination" })]
    [InlineData(CaseStatus.Escalated, "reject-suspension", new[] { "approve-suspension", "close", "extend", "message", "request-termination" })]
    [InlineData(CaseStatus.Suspended, "close", new[] { "reinstate", "message", "request-termination" })]
    [InlineData(CaseStatus.Suspended, "extend", new[] { "reinstate", "message", "request-termination" })]
    [InlineData(CaseStatus.Reinstated, "reinstate", new[] { "close", "message", "request-termination" })]
    [InlineData(CaseStatus.Terminated, "reopen", new string[0])]
    [InlineData(CaseStatus.Terminated, "message", new string[0])]
    [InlineData(CaseStatus.Notified, "self-destruct", new[] { "close", "extend", "message", "request-termination" })]
    [InlineData(CaseStatus.Notified, "CLOSE", new[] { "close", "extend", "message", "request-termination" })]
    public void An_ops_action_the_state_does_not_allow_is_refused_with_the_allowed_actions(CaseStatus status, string action, string[] allowed)
    {
        var state = Notified() with { Status = status };

        var refused = IsRefused(CaseStateMachine.Decide(state, new OpsAction(action, "alice", "because"), Defaults, Now));

        Assert.Equal(allowed, refused.Allowed);
        Assert.Equal($"'{action}' is not possible while the case is {status.ToWireName()}", refused.Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void An_ops_action_without_an_actor_is_refused(string actor)
    {
        var refused = IsRefused(CaseStateMachine.Decide(Notified(), new OpsAction("close", actor, "x"), Defaults, Now));

        Assert.Contains("actor", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(["close", "extend", "message", "request-termination"], refused.Allowed);
    }

    // ---- a whole life, on a fake clock -------------------------------------------------------------

    [Fact]
    public void A_case_lives_through_notice_reminder_extension_and_deadline_on_a_fake_clock()
    {
        var clock = new FakeTimeProvider(Now);
        var state = NewCase(AbuseClass.Phishing);
        var pending = new List<ArmTimer>();

        CaseState Apply(CaseInput input)
        {
            var transition = Transitions(CaseStateMachine.Decide(state, input, Defaults, clock.GetUtcNow()));
            pending.AddRange(transition.Effects.OfType<ArmTimer>());
            return transition.State;
        }

        CaseDecision Fire(ArmTimer timer)
        {
            clock.SetUtcNow(timer.DueAt);
            pending.Remove(timer);
            return CaseStateMachine.Decide(state, new TimerDue(timer.Kind, timer.Version), Defaults, clock.GetUtcNow());
        }

        state = Apply(new EventsAdded());
        Assert.Equal(2, pending.Count);

        var reminder = pending.Single(t => t.Kind == TimerKind.Reminder);
        Assert.Equal(Now.AddHours(12), reminder.DueAt);
        Assert.Equal([new SendNotification(NotificationKind.Reminder)], Transitions(Fire(reminder)).Effects);

        clock.Advance(TimeSpan.FromHours(6));
        state = Apply(new CustomerResolution(ResolutionKind.MoreTime, "need a day"));
        Assert.Equal(Now.AddHours(48), state.Deadline);

        var firstDeadline = pending.Single(t => t.Kind == TimerKind.Deadline && t.DueAt == Now.AddHours(24));
        Assert.IsType<NoChange>(Fire(firstDeadline));

        var secondDeadline = pending.Single(t => t.Kind == TimerKind.Deadline);
        var escalation = Transitions(Fire(secondDeadline));
        // A customer since 2020: never suspended automatically, held for a person.
        Assert.Equal(CaseStatus.SuspensionPending, escalation.State.Status);
        Assert.Equal(Now.AddHours(48), escalation.History[0].At);
        Assert.Empty(pending);
    }
}
