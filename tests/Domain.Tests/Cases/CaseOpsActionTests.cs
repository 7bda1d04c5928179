using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;
using static AbuseDesk.Domain.Tests.Cases.CaseFixtures;

namespace AbuseDesk.Domain.Tests.Cases;

/// <summary>Ops actions on suspensions, resolutions and terminations, and the customer's answers around them.</summary>
public class CaseOpsActionTests
{
    private static readonly DateTimeOffset Later = Now.AddHours(50);

    private static CaseState Pending(DateOnly? customerSince = null)
    {
        var notified = Notified(customerSince: customerSince ?? LongStanding);
        var pending = Transitions(Decide(notified, new TimerDue(TimerKind.Deadline, notified.Version), notified.Deadline!.Value)).State;
        Assert.Equal(CaseStatus.SuspensionPending, pending.Status);
        return pending;
    }

    // ---- suspension ------------------------------------------------------------------------------

    [Theory]
    [InlineData(CaseStatus.SuspensionPending)]
    [InlineData(CaseStatus.Escalated)]
    [InlineData(CaseStatus.Disputed)]
    public void Approve_suspension_suspends_from_every_status_that_waits_for_a_person(CaseStatus status)
    {
        var state = Pending() with { Status = status };

        var transition = Transitions(Decide(state, Ops("approve-suspension", reason: "repeat offender"), Later));

        Assert.Equal(CaseStatus.Suspended, transition.State.Status);
        Assert.Equal(Later, transition.State.SuspendedAt);
        Assert.Equal(PlatformActionKind.Suspend, Single<PlatformAction>(transition).Kind);
        Assert.Equal(NotificationKind.Suspended, Single<SendNotification>(transition).Kind);
        Assert.DoesNotContain(transition.Effects, e => e is CountAutomatedSuspension);
    }

    [Theory]
    [InlineData("approve-suspension")]
    [InlineData("reject-suspension")]
    public void Suspension_decisions_need_a_written_reason(string action)
    {
        var refused = IsRefused(Decide(Pending(), Ops(action, reason: "  "), Later));

        Assert.Equal($"'{action}' needs a written reason", refused.Reason);
        Assert.Equal(CaseStateMachine.OpsActionsAllowed(Pending()), refused.Allowed);
    }

    [Fact]
    public void Reject_suspension_leaves_the_case_escalated_with_nothing_done_to_the_customer()
    {
        var state = Pending();

        var transition = Transitions(Decide(state, Ops("reject-suspension", "bob", "customer is a hospital"), Later));

        Assert.Equal(CaseStatus.Escalated, transition.State.Status);
        Assert.Equal(state.Version + 1, transition.State.Version);
        Assert.Empty(transition.Effects);
        Assert.Equal(new HistoryEntry(Later, "suspension-rejected", "bob", "ops:reject-suspension", "customer is a hospital"), Assert.Single(transition.History));
    }

    [Fact]
    public void Reinstate_lifts_the_suspension_and_starts_the_grace_period()
    {
        var suspended = Suspended();
        var at = suspended.SuspendedAt!.Value.AddHours(2);

        var transition = Transitions(Decide(suspended, Ops("reinstate", "carol", null), at));

        Assert.Equal(CaseStatus.Reinstated, transition.State.Status);
        Assert.Equal(at, transition.State.ReinstatedAt);
        Assert.False(transition.State.ResourceSuspended);
        Assert.Equal(suspended.Version + 1, transition.State.Version);
        Assert.Equal(
            [new PlatformAction(PlatformActionKind.Reinstate, "reinstated by carol"), new RecordManualReinstatement(at), new SendNotification(NotificationKind.Reinstated)],
            transition.Effects);
        Assert.Equal("reinstated", Assert.Single(transition.History).What);
        // The seed incident: the next automated decision on this customer is held by the grace period.
        var verdict = SafetyChecks.ForAutomatedSuspension(transition.State, SafetyFacts.None, Defaults.Safeties, at.AddDays(1));
        Assert.False(Assert.Single(verdict.Checks, c => c.Name == "reinstatement-grace").Passed);
    }

    [Fact]
    public void A_suspended_case_cannot_be_closed_without_reinstating_or_terminating_first()
    {
        var refused = IsRefused(Decide(Suspended(), Ops("close"), Later));

        Assert.Equal("'close' is not possible while the case is suspended", refused.Reason);
        Assert.Equal(["reinstate", "message", "request-termination"], refused.Allowed);
    }

    // ---- customer answers around a suspension ----------------------------------------------------

    [Fact]
    public void A_fix_while_suspended_always_goes_to_a_person()
    {
        var suspended = Suspended();

        var transition = Transitions(Decide(suspended, new CustomerResolution(ResolutionKind.Fixed, "removed the spam script"), Later));

        Assert.Equal(CaseStatus.PendingReview, transition.State.Status);
        Assert.True(transition.State.ResourceSuspended);
        Assert.Empty(transition.Effects);
        var entry = Assert.Single(transition.History);
        Assert.Equal("resolution-pending-review", entry.What);
        Assert.StartsWith("case:suspended", entry.Rule, StringComparison.Ordinal);
        // Closing it now would leave the customer suspended with nobody looking.
        Assert.DoesNotContain("close", CaseStateMachine.OpsActionsAllowed(transition.State));
        Assert.Equal(["approve-resolution", "reject-resolution", "message", "request-termination"], CaseStateMachine.OpsActionsAllowed(transition.State));
    }

    [Fact]
    public void A_dispute_while_suspended_is_acknowledged_once_and_keeps_the_suspension_visible()
    {
        var suspended = Suspended();

        var transition = Transitions(Decide(suspended, new CustomerResolution(ResolutionKind.Disputed, "that was our honeypot"), Later));

        Assert.Equal(CaseStatus.Suspended, transition.State.Status);
        Assert.Equal("disputed", transition.State.Resolution);
        Assert.Equal([new SendNotification(NotificationKind.Escalated)], transition.Effects);
        var again = IsRefused(Decide(transition.State, new CustomerResolution(ResolutionKind.Disputed, "really"), Later.AddHours(1)));
        Assert.Equal(["fixed"], again.Allowed);
    }

    [Theory]
    [InlineData(CaseStatus.Escalated)]
    [InlineData(CaseStatus.Disputed)]
    [InlineData(CaseStatus.SuspensionPending)]
    [InlineData(CaseStatus.Reinstated)]
    public void A_fix_resolves_every_open_status_that_is_not_suspended(CaseStatus status)
    {
        var state = Notified() with { Status = status };

        var transition = Transitions(Decide(state, new CustomerResolution(ResolutionKind.Fixed, "patched"), Later));

        Assert.Equal(CaseStatus.Resolved, transition.State.Status);
        Assert.Equal(Later, transition.State.EndedAt);
        Assert.Equal([new SendNotification(NotificationKind.ResolutionAccepted)], transition.Effects);
    }

    [Theory]
    [InlineData(CaseStatus.Escalated, new[] { "fixed", "disputed" })]
    [InlineData(CaseStatus.SuspensionPending, new[] { "fixed", "disputed" })]
    [InlineData(CaseStatus.Disputed, new[] { "fixed" })]
    [InlineData(CaseStatus.Suspended, new[] { "fixed", "disputed" })]
    public void More_time_is_only_for_a_notified_case_with_a_running_deadline(CaseStatus status, string[] allowed)
    {
        var state = Notified() with { Status = status };

        var refused = IsRefused(Decide(state, new CustomerResolution(ResolutionKind.MoreTime, null), Later));

        Assert.Equal(allowed, refused.Allowed);
    }

    // ---- resolution review -----------------------------------------------------------------------

    private static PlaybookSet NeedsApproval => With(AbuseClass.Spam, Defaults.For(AbuseClass.Spam) with { ResolutionNeedsApproval = true });

    private static CaseState InReview() =>
        Transitions(Decide(Notified(playbooks: NeedsApproval), new CustomerResolution(ResolutionKind.Fixed, "rotated credentials"), Now.AddHours(3), NeedsApproval)).State;

    [Fact]
    public void Approve_resolution_resolves_with_the_thank_you_mail()
    {
        var review = InReview();

        var transition = Transitions(Decide(review, Ops("approve-resolution", "dan", null), Now.AddHours(4), NeedsApproval));

        Assert.Equal(CaseStatus.Resolved, transition.State.Status);
        Assert.Equal(Now.AddHours(4), transition.State.EndedAt);
        Assert.Equal("fixed", transition.State.Resolution);
        Assert.Equal([new SendNotification(NotificationKind.ResolutionAccepted)], transition.Effects);
    }

    [Fact]
    public void Approving_a_suspended_customers_fix_also_reinstates()
    {
        var review = Transitions(Decide(Suspended(), new CustomerResolution(ResolutionKind.Fixed, "removed the script"), Later)).State;

        var transition = Transitions(Decide(review, Ops("approve-resolution", "dan", "verified"), Later.AddHours(1)));

        Assert.Equal(CaseStatus.Resolved, transition.State.Status);
        Assert.Equal(Later.AddHours(1), transition.State.ReinstatedAt);
        Assert.False(transition.State.ResourceSuspended);
        Assert.Equal(
            [
                new PlatformAction(PlatformActionKind.Reinstate, "fix accepted by dan: verified"),
                new RecordManualReinstatement(Later.AddHours(1)),
                new SendNotification(NotificationKind.ResolutionAccepted),
                new SendNotification(NotificationKind.Reinstated),
            ],
            transition.Effects);
        Assert.Equal(["resolved", "reinstated"], transition.History.Select(h => h.What));
    }

    [Fact]
    public void Reject_resolution_restarts_the_deadline_and_tells_the_customer_why()
    {
        var review = InReview();
        var at = Now.AddDays(5);

        var transition = Transitions(Decide(review, Ops("reject-resolution", "dan", "still listed on Spamhaus"), at, NeedsApproval));

        Assert.Equal(CaseStatus.Notified, transition.State.Status);
        Assert.Null(transition.State.Resolution);
        Assert.Equal(at.AddHours(48), transition.State.Deadline);
        Assert.Equal(review.Version + 1, transition.State.Version);
        Assert.Equal(
            [
                new SendNotification(NotificationKind.OpsMessage, "still listed on Spamhaus"),
                new ArmTimer(TimerKind.Reminder, at.AddHours(24), transition.State.Version),
                new ArmTimer(TimerKind.Deadline, at.AddHours(48), transition.State.Version),
            ],
            transition.Effects);
    }

    [Fact]
    public void Rejecting_a_suspended_customers_fix_returns_to_suspended_not_to_a_new_deadline()
    {
        var review = Transitions(Decide(Suspended(), new CustomerResolution(ResolutionKind.Fixed, "done"), Later)).State;

        var transition = Transitions(Decide(review, Ops("reject-resolution", "dan", "the script is still there"), Later.AddHours(1)));

        Assert.Equal(CaseStatus.Suspended, transition.State.Status);
        Assert.True(transition.State.ResourceSuspended);
        Assert.Equal([new SendNotification(NotificationKind.OpsMessage, "the script is still there")], transition.Effects);
    }

    [Fact]
    public void Reject_resolution_needs_a_reason()
    {
        var refused = IsRefused(Decide(InReview(), Ops("reject-resolution", reason: null), Now.AddHours(4), NeedsApproval));

        Assert.Equal("'reject-resolution' needs a written reason", refused.Reason);
    }

    // ---- extend, message, reopen -----------------------------------------------------------------

    [Theory]
    [InlineData(CaseStatus.Escalated)]
    [InlineData(CaseStatus.Disputed)]
    [InlineData(CaseStatus.SuspensionPending)]
    public void Extend_puts_a_waiting_case_back_on_a_deadline(CaseStatus status)
    {
        var state = Notified() with { Status = status };

        var transition = Transitions(Decide(state, Ops("extend", reason: null), Later));

        Assert.Equal(CaseStatus.Notified, transition.State.Status);
        Assert.Equal(Later.AddHours(24), transition.State.Deadline);
        Assert.Equal([new ArmTimer(TimerKind.Deadline, Later.AddHours(24), transition.State.Version)], transition.Effects);
    }

    [Theory]
    [InlineData(CaseStatus.New)]
    [InlineData(CaseStatus.Suspended)]
    [InlineData(CaseStatus.Resolved)]
    [InlineData(CaseStatus.Closed)]
    public void Ops_can_message_the_customer_in_any_state_but_terminated(CaseStatus status)
    {
        var state = Notified() with { Status = status };

        var transition = Transitions(Decide(state, Ops("message", reason: "Please call us."), Later));

        Assert.Equal([new SendNotification(NotificationKind.OpsMessage, "Please call us.")], transition.Effects);
        Assert.Equal(status, transition.State.Status);
    }

    [Fact]
    public void Reopen_gives_a_closed_case_a_fresh_deadline_live_timers_and_a_new_notice()
    {
        var closed = Transitions(Decide(Notified(), Ops("close"), Now.AddHours(1))).State;
        var at = Now.AddDays(20);

        var transition = Transitions(Decide(closed, Ops("reopen", "bob", null), at));

        Assert.Equal(CaseStatus.Notified, transition.State.Status);
        Assert.Null(transition.State.EndedAt);
        Assert.Equal(closed.Version + 1, transition.State.Version);
        Assert.Equal(
            [
                new SendNotification(NotificationKind.FirstNotice),
                new ArmTimer(TimerKind.Reminder, at.AddHours(24), transition.State.Version),
                new ArmTimer(TimerKind.Deadline, at.AddHours(48), transition.State.Version),
            ],
            transition.Effects);
    }

    // ---- termination -----------------------------------------------------------------------------

    [Fact]
    public void Request_termination_records_who_and_why_and_changes_nothing_else()
    {
        var suspended = Suspended();

        var transition = Transitions(Decide(suspended, Ops("request-termination", "alice", "third suspension this year"), Later));

        Assert.Equal(suspended with { TerminationRequestedBy = "alice", TerminationReason = "third suspension this year" }, transition.State);
        Assert.Empty(transition.Effects);
        Assert.Equal(new HistoryEntry(Later, "termination-requested", "alice", "ops:request-termination", "third suspension this year"), Assert.Single(transition.History));
        Assert.Equal(["reinstate", "message", "approve-termination"], CaseStateMachine.OpsActionsAllowed(transition.State));
    }

    [Theory]
    [InlineData("request-termination")]
    [InlineData("approve-termination")]
    public void Termination_steps_need_a_written_reason(string action)
    {
        var state = Suspended() with { TerminationRequestedBy = action == "approve-termination" ? "alice" : null, TerminationReason = "x" };

        var refused = IsRefused(Decide(state, Ops(action, "bob", null), Later));

        Assert.Equal($"'{action}' needs a written reason", refused.Reason);
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("ALICE")]
    [InlineData("  Alice ")]
    public void The_requester_cannot_approve_their_own_termination(string approver)
    {
        var requested = Transitions(Decide(Suspended(), Ops("request-termination", "alice", "repeat offender"), Later)).State;

        var refused = IsRefused(Decide(requested, Ops("approve-termination", approver, "agreed"), Later.AddHours(1)));

        Assert.Equal("termination needs a second, different ops person", refused.Reason);
        Assert.Equal(["reinstate", "message", "approve-termination"], refused.Allowed);
    }

    [Fact]
    public void A_second_person_terminates()
    {
        var requested = Transitions(Decide(Suspended(), Ops("request-termination", "alice", "repeat offender"), Later)).State;

        var transition = Transitions(Decide(requested, Ops("approve-termination", "bob", "checked the history"), Later.AddHours(1)));

        Assert.Equal(CaseStatus.Terminated, transition.State.Status);
        Assert.Equal(requested.Version + 1, transition.State.Version);
        var platform = Single<PlatformAction>(transition);
        Assert.Equal(PlatformActionKind.Terminate, platform.Kind);
        Assert.Contains("alice", platform.Reason, StringComparison.Ordinal);
        Assert.Contains("bob", platform.Reason, StringComparison.Ordinal);
        Assert.Equal(NotificationKind.Terminated, Single<SendNotification>(transition).Kind);
        var entry = Assert.Single(transition.History);
        Assert.Equal("terminated", entry.What);
        Assert.Equal("bob", entry.Actor);
        Assert.Contains("repeat offender", entry.Detail, StringComparison.Ordinal);
        Assert.Contains("checked the history", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Approve_termination_without_a_request_is_refused()
    {
        var refused = IsRefused(Decide(Suspended(), Ops("approve-termination", "bob", "x"), Later));

        Assert.Equal(["reinstate", "message", "request-termination"], refused.Allowed);
    }

    [Fact]
    public void A_fix_while_a_termination_is_requested_goes_to_a_person()
    {
        var requested = Transitions(Decide(Notified(), Ops("request-termination", "alice", "known bad actor"), Now.AddHours(1))).State;

        var transition = Transitions(Decide(requested, new CustomerResolution(ResolutionKind.Fixed, "fixed, honest"), Now.AddHours(2)));

        Assert.Equal(CaseStatus.PendingReview, transition.State.Status);
        Assert.Equal("alice", transition.State.TerminationRequestedBy);
    }

    [Fact]
    public void Closing_drops_a_pending_termination_request()
    {
        var requested = Transitions(Decide(Notified(), Ops("request-termination", "alice", "known bad actor"), Now.AddHours(1))).State;

        var closed = Transitions(Decide(requested, Ops("close", "bob", "reporter withdrew"), Now.AddHours(2))).State;

        Assert.Null(closed.TerminationRequestedBy);
        Assert.Null(closed.TerminationReason);
    }

    public static TheoryData<CaseInput> EveryKindOfInput => new()
    {
        new EventsAdded(),
        new EventsAfterEnd(),
        new TimerDue(TimerKind.Deadline, 4),
        new TimerDue(TimerKind.Digest, 4),
        new CustomerResolution(ResolutionKind.Fixed, "done"),
        new CustomerMessage("hello?"),
        new OpsAction("reopen", "carol", "mistake"),
        new OpsAction("reinstate", "carol", "mistake"),
        new OpsAction("message", "carol", "hello"),
    };

    [Theory]
    [MemberData(nameof(EveryKindOfInput))]
    public void Terminated_is_final(CaseInput input)
    {
        var terminated = Suspended() with { Status = CaseStatus.Terminated, Version = 4, EndedAt = Later, DigestDueAt = Later };

        var refused = IsRefused(CaseStateMachine.Decide(terminated, input, Defaults with { ReopenWindow = TimeSpan.FromDays(30) }, Later.AddMinutes(1)));

        Assert.Empty(refused.Allowed);
        Assert.Empty(CaseStateMachine.OpsActionsAllowed(terminated));
        Assert.Empty(CaseStateMachine.ResolutionsAllowed(terminated));
    }

    // ---- the allowed lists are the truth ---------------------------------------------------------

    public static TheoryData<CaseStatus, bool, bool, bool> StatusVariants()
    {
        var data = new TheoryData<CaseStatus, bool, bool, bool>();
        foreach (var status in Enum.GetValues<CaseStatus>())
        {
            foreach (var deadline in new[] { true, false })
            {
                foreach (var suspendedAtPlatform in new[] { true, false })
                {
                    foreach (var terminationRequested in new[] { true, false })
                    {
                        data.Add(status, deadline, suspendedAtPlatform, terminationRequested);
                    }
                }
            }
        }

        return data;
    }

    private static CaseState Variant(CaseStatus status, bool deadline, bool suspendedAtPlatform, bool terminationRequested) =>
        Notified() with
        {
            Status = status,
            Deadline = deadline ? Now.AddHours(48) : null,
            SuspendedAt = suspendedAtPlatform ? Now.AddHours(1) : null,
            TerminationRequestedBy = terminationRequested ? "alice" : null,
            TerminationReason = terminationRequested ? "why" : null,
            EndedAt = status.IsOpen() ? null : Now.AddHours(2),
        };

    /// <summary>
    /// For every state shape, each ops action is accepted exactly when OpsActionsAllowed lists it, and every
    /// refusal carries that list. "Accepted" means not refused as impossible in this state; a listed action may
    /// still be refused for its input (the requester approving their own termination).
    /// </summary>
    [Theory]
    [MemberData(nameof(StatusVariants))]
    public void Decide_accepts_exactly_the_listed_ops_actions(CaseStatus status, bool deadline, bool suspendedAtPlatform, bool terminationRequested)
    {
        var state = Variant(status, deadline, suspendedAtPlatform, terminationRequested);
        var allowed = CaseStateMachine.OpsActionsAllowed(state);
        Assert.All(allowed, a => Assert.Contains(a, CaseStateMachine.AllOpsActions));

        foreach (var action in CaseStateMachine.AllOpsActions)
        {
            var decision = Decide(state, Ops(action, "bob", "a reason"), Later);
            if (allowed.Contains(action))
            {
                Assert.False(decision is Refused, $"{action} listed for {status} but refused: {(decision as Refused)?.Reason}");
            }
            else
            {
                var refused = IsRefused(decision);
                Assert.Equal($"'{action}' is not possible while the case is {status.ToWireName()}", refused.Reason);
                Assert.Equal(allowed, refused.Allowed);
            }
        }
    }

    [Theory]
    [MemberData(nameof(StatusVariants))]
    public void Decide_accepts_exactly_the_listed_resolutions(CaseStatus status, bool deadline, bool suspendedAtPlatform, bool terminationRequested)
    {
        var state = Variant(status, deadline, suspendedAtPlatform, terminationRequested);
        var allowed = CaseStateMachine.ResolutionsAllowed(state);

        foreach (var kind in Enum.GetValues<ResolutionKind>())
        {
            var decision = Decide(state, new CustomerResolution(kind, "some text"), Later);
            if (allowed.Contains(kind))
            {
                Assert.IsType<Transition>(decision);
            }
            else
            {
                Assert.Equal(allowed.Select(CaseStateMachine.Wire), IsRefused(decision).Allowed);
            }
        }
    }

    [Theory]
    [InlineData(CaseStatus.New)]
    [InlineData(CaseStatus.Resolved)]
    [InlineData(CaseStatus.Closed)]
    [InlineData(CaseStatus.Suspended)]
    public void The_customer_can_write_in_every_state_but_terminated(CaseStatus status)
    {
        var state = Notified() with { Status = status };

        var transition = Transitions(Decide(state, new CustomerMessage("any news?"), Later));

        Assert.Equal("customer-message", Assert.Single(transition.History).What);
    }
}
