using System.Xml;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Cases;

/// <summary>
/// The case playbook as a pure function: (state, input, playbooks, now) → decision. All I/O — the ETag-guarded
/// commit, the outbox, the timers, gathering the safety facts — lives in the app; this class only decides, so
/// every rule is testable with a fixed clock.
/// </summary>
/// <remarks>
/// Two lists tell the outside world what a case accepts: <see cref="OpsActionsAllowed"/> and
/// <see cref="ResolutionsAllowed"/>. Decide accepts exactly what they list (input checks such as a missing
/// reason aside), and every refusal carries the list, so the ops API's 409 and the portal's forms never
/// disagree with the state machine.
/// </remarks>
public static class CaseStateMachine
{
    public const string System = "system";
    public const string Customer = "customer";

    public const string ApproveSuspension = "approve-suspension";
    public const string RejectSuspension = "reject-suspension";
    public const string Reinstate = "reinstate";
    public const string ApproveResolution = "approve-resolution";
    public const string RejectResolution = "reject-resolution";
    public const string Close = "close";
    public const string Reopen = "reopen";
    public const string Extend = "extend";
    public const string Message = "message";
    public const string RequestTermination = "request-termination";
    public const string ApproveTermination = "approve-termination";

    /// <summary>Every ops action the desk knows, in the order the allowed lists use.</summary>
    public static IReadOnlyList<string> AllOpsActions { get; } =
    [
        ApproveSuspension, RejectSuspension, Reinstate, ApproveResolution, RejectResolution,
        Close, Reopen, Extend, Message, RequestTermination, ApproveTermination,
    ];

    /// <summary>
    /// Actions that change what happens to the customer, or speak to them, without a written reason invite the
    /// seed incident's "final denial from a template"; the rest may carry one.
    /// </summary>
    private static readonly HashSet<string> NeedsReason =
        [ApproveSuspension, RejectSuspension, RequestTermination, ApproveTermination, RejectResolution, Message];

    /// <summary>How much earlier than the pending digest a digest timer may fire and still be that digest's timer.</summary>
    private static readonly TimeSpan DigestTimerSlack = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan OpsExtension = TimeSpan.FromHours(24);

    public static CaseDecision Decide(CaseState state, CaseInput input, PlaybookSet playbooks, DateTimeOffset now)
    {
        if (state.Status == CaseStatus.Terminated && input is not (OpsAction or CustomerResolution))
        {
            // Ops actions and resolutions answer with their own (empty) allowed lists.
            return new Refused("the case was terminated; it is final", []);
        }

        var playbook = playbooks.For(state.AbuseClass);
        var rule = $"playbook:{state.AbuseClass.ToWireName()}";
        return input switch
        {
            EventsAdded => OnEvents(state, playbook, playbooks, rule, now),
            EventsAfterEnd => OnEventsAfterEnd(state, playbook, playbooks, rule, now),
            TimerDue timer => OnTimer(state, timer, playbook, playbooks, rule, now),
            CustomerResolution resolution => OnResolution(state, resolution, playbook, rule, now),
            CustomerMessage message => OnCustomerMessage(state, message, now),
            MessageToReporters message => OnMessageToReporters(state, message, now),
            MailReply reply => OnMailReply(state, reply, now),
            CustomerDigestSent digest => OnCustomerDigestSent(state, digest, playbooks),
            OpsAction action => OnOpsAction(state, action, playbook, now),
            _ => throw new ArgumentOutOfRangeException(nameof(input), input, "unknown case input"),
        };
    }

    /// <summary>What the portal offers the customer in this state; exactly what Decide accepts.</summary>
    public static IReadOnlyList<ResolutionKind> ResolutionsAllowed(CaseState state) => state.Status switch
    {
        CaseStatus.Notified => state.ExtensionUsed || state.Deadline is null
            ? [ResolutionKind.Fixed, ResolutionKind.Disputed]
            : [ResolutionKind.Fixed, ResolutionKind.Disputed, ResolutionKind.MoreTime],
        CaseStatus.Escalated or CaseStatus.SuspensionPending or CaseStatus.Reinstated => [ResolutionKind.Fixed, ResolutionKind.Disputed],
        // A disputed case waits for ops; the customer can still give in and record a fix.
        CaseStatus.Disputed => [ResolutionKind.Fixed],
        // One dispute per suspension: it goes to a person, and repeating it only repeats the acknowledgement mail.
        CaseStatus.Suspended => state.Resolution == "disputed"
            ? [ResolutionKind.Fixed]
            : [ResolutionKind.Fixed, ResolutionKind.Disputed],
        _ => [],
    };

    /// <summary>What ops may do in this state (the 409's list); exactly what Decide accepts.</summary>
    public static IReadOnlyList<string> OpsActionsAllowed(CaseState state)
    {
        switch (state.Status)
        {
            case CaseStatus.Terminated:
                return [];
            case CaseStatus.Resolved or CaseStatus.Closed:
                return [Reopen, Message];
        }

        var allowed = new List<string>();
        switch (state.Status)
        {
            case CaseStatus.SuspensionPending:
                allowed.Add(ApproveSuspension);
                allowed.Add(RejectSuspension);
                break;
            case CaseStatus.Escalated or CaseStatus.Disputed:
                allowed.Add(ApproveSuspension);
                break;
            case CaseStatus.Suspended:
                allowed.Add(Reinstate);
                break;
            case CaseStatus.PendingReview:
                allowed.Add(ApproveResolution);
                allowed.Add(RejectResolution);
                break;
        }

        // Closing a suspended case would leave the customer switched off with nobody looking: reinstate or
        // terminate first (this includes a suspended customer's fix waiting for review).
        if (state.Status != CaseStatus.Suspended && !state.ResourceSuspended)
        {
            allowed.Add(Close);
        }

        if (state.Status is CaseStatus.Notified or CaseStatus.Escalated or CaseStatus.Disputed or CaseStatus.SuspensionPending
            && state.Deadline is not null)
        {
            allowed.Add(Extend);
        }

        allowed.Add(Message);
        allowed.Add(state.TerminationRequestedBy is null ? RequestTermination : ApproveTermination);
        return allowed;
    }

    // ---- events --------------------------------------------------------------------------------------

    private static CaseDecision OnEvents(CaseState state, Playbook playbook, PlaybookSet playbooks, string rule, DateTimeOffset now)
    {
        if (state.Status == CaseStatus.New)
        {
            return FirstNotice(state, playbook, rule, now);
        }

        if (!state.Status.IsOpen())
        {
            return new NoChange($"no digests on an ended case ({state.Status.ToWireName()})");
        }

        if (!playbook.Notify)
        {
            return new NoChange("the playbook does not notify the customer, so no digests either");
        }

        if ((state.LastNoticeAt ?? state.NotifiedAt) is not { } lastNotice)
        {
            return new NoChange("the customer has not been told about this case yet");
        }

        var fresh = state.EventCount - state.EventsAtLastNotice;
        if (fresh <= 0)
        {
            // A redelivered events-added message: the customer already heard about every event.
            return new NoChange("no events since the last notice");
        }

        var windowEnds = lastNotice + playbooks.DigestWindow;
        if (now >= windowEnds)
        {
            return SendDigest(state, lastNotice, fresh, now);
        }

        if (state.DigestDueAt is { } due)
        {
            return new NoChange($"a digest is already due at {due:O}");
        }

        return new Transition(
            state with { DigestDueAt = windowEnds },
            [new HistoryEntry(now, "digest-scheduled", System, "playbooks:digestWindow", $"{fresh} new report(s); digest due at {windowEnds:O}")],
            [new ArmTimer(TimerKind.Digest, windowEnds, state.Version)]);
    }

    private static CaseDecision FirstNotice(CaseState state, Playbook playbook, string rule, DateTimeOffset now)
    {
        if (!playbook.Notify)
        {
            var quiet = state with { Status = CaseStatus.Escalated, Version = state.Version + 1 };
            return new Transition(quiet, [new HistoryEntry(now, "escalated", System, $"{rule}.notify=false", "playbook does not notify the customer; ops decide")], []);
        }

        var (notified, timers) = FreshDeadline(state with { NotifiedAt = now }, playbook, now);
        var detail = notified.Deadline is { } at ? $"customer notified; deadline {at:O}" : "customer notified; informational, no deadline";
        return Commit(notified, [new HistoryEntry(now, "notified", System, $"{rule}.notify", detail)],
            [new SendNotification(NotificationKind.FirstNotice), .. timers], now);
    }

    private static CaseDecision OnEventsAfterEnd(CaseState state, Playbook playbook, PlaybookSet playbooks, string rule, DateTimeOffset now)
    {
        if (state.Status.IsOpen())
        {
            // The case was reopened (or never ended) between the caller's read and ours: the events are simply
            // this case's new events, and a second open case for the same key must not appear.
            return OnEvents(state, playbook, playbooks, rule, now);
        }

        if (playbooks.ReopenWindow is not { } window || state.EndedAt is not { } ended || ended + window <= now)
        {
            return new Refused("ended outside the reopen window", []);
        }

        var why = $"ended {ended:O}, within the reopen window of {XmlConvert.ToString(window)}";
        var windowRule = $"playbooks:reopenWindow={XmlConvert.ToString(window)}";
        if (!playbook.Notify)
        {
            var quiet = Reopened(state) with { Status = CaseStatus.Escalated, Deadline = null, Version = state.Version + 1 };
            return new Transition(quiet, [new HistoryEntry(now, "reopened by new events", System, windowRule, $"{why}; playbook does not notify the customer; ops decide")], []);
        }

        var (reopened, timers) = FreshDeadline(Reopened(state), playbook, now);
        return Commit(reopened, [new HistoryEntry(now, "reopened by new events", System, windowRule, why)],
            [new SendNotification(NotificationKind.FirstNotice), .. timers], now);
    }

    // ---- timers --------------------------------------------------------------------------------------

    private static CaseDecision OnTimer(CaseState state, TimerDue timer, Playbook playbook, PlaybookSet playbooks, string rule, DateTimeOffset now)
    {
        if (timer.Kind == TimerKind.Digest)
        {
            return OnDigestTimer(state, now);
        }

        if (timer.Version != state.Version)
        {
            return new NoChange($"stale {timer.Kind} timer (armed for version {timer.Version}, case is at {state.Version})");
        }

        if (state.Status != CaseStatus.Notified)
        {
            return new NoChange($"{timer.Kind} timer ignored in status {state.Status.ToWireName()}");
        }

        if (timer.Kind == TimerKind.Reminder)
        {
            return Commit(state, [new HistoryEntry(now, "reminded", System, $"{rule}.reminder", "reminder sent at half time")],
                [new SendNotification(NotificationKind.Reminder)], now);
        }

        return OnDeadline(state, timer.Facts ?? SafetyFacts.None, playbook, playbooks.Safeties, rule, now);
    }

    /// <summary>
    /// Digest timers skip the version check: a dispute or an extension changes the plan, not the fact that the
    /// customer has unread events. <see cref="CaseState.DigestDueAt"/> is what keeps them honest instead.
    /// </summary>
    private static CaseDecision OnDigestTimer(CaseState state, DateTimeOffset now)
    {
        if (!state.Status.IsOpen())
        {
            return new NoChange($"no digests on an ended case ({state.Status.ToWireName()})");
        }

        if (state.DigestDueAt is not { } due)
        {
            return new NoChange("no digest pending (a later notice already told the customer)");
        }

        if (due - now > DigestTimerSlack)
        {
            // A timer armed before a notice cleared the digest it was for; the pending digest has its own timer.
            return new NoChange($"an earlier digest timer; the pending digest is due at {due:O}");
        }

        var fresh = state.EventCount - state.EventsAtLastNotice;
        if (fresh <= 0 || (state.LastNoticeAt ?? state.NotifiedAt) is not { } lastNotice)
        {
            return new NoChange("nothing new since the last notice");
        }

        return SendDigest(state, lastNotice, fresh, now);
    }

    /// <summary>
    /// The case's digest window closed with news: it asks for the customer's digest, which lists every case of the
    /// customer with news in one mail (at most one per window per customer). The case's own notice bookkeeping
    /// moves only when that mail is committed (<see cref="CustomerDigestSent"/>).
    /// </summary>
    private static Transition SendDigest(CaseState state, DateTimeOffset lastNotice, int fresh, DateTimeOffset now) =>
        new(state with { DigestDueAt = now },
            [new HistoryEntry(now, "digest-requested", System, "playbooks:digestWindow", $"{fresh} new report(s) since {lastNotice:O}; listed in the customer's next digest")],
            [new RequestCustomerDigest(fresh)]);

    private static CaseDecision OnCustomerDigestSent(CaseState state, CustomerDigestSent digest, PlaybookSet playbooks)
    {
        if (digest.EventsCovered <= state.EventsAtLastNotice)
        {
            // A redelivery, or a notice that told the customer more in the meantime.
            return new NoChange("the customer already heard about these events");
        }

        var told = digest.EventsCovered - state.EventsAtLastNotice;
        var next = state with { LastNoticeAt = digest.At, EventsAtLastNotice = digest.EventsCovered, DigestDueAt = null };
        var history = new List<HistoryEntry> { new(digest.At, "digest-sent", System, "playbooks:digestWindow", $"{told} new report(s) in the customer's digest") };
        if (next.EventCount > digest.EventsCovered && next.Status.IsOpen())
        {
            // Events that arrived while the digest was being composed wait for the next window.
            var due = digest.At + playbooks.DigestWindow;
            history.Add(new HistoryEntry(digest.At, "digest-scheduled", System, "playbooks:digestWindow", $"{next.EventCount - digest.EventsCovered} new report(s); digest due at {due:O}"));
            return new Transition(next with { DigestDueAt = due }, history, [new ArmTimer(TimerKind.Digest, due, state.Version)]);
        }

        return new Transition(next, history, []);
    }

    private static Transition OnDeadline(CaseState state, SafetyFacts facts, Playbook playbook, Safeties safeties, string rule, DateTimeOffset now)
    {
        var fired = $"{rule}.onDeadline={playbook.OnDeadline.ToString().ToLowerInvariant()}";
        var next = state with { Version = state.Version + 1 };
        switch (playbook.OnDeadline)
        {
            case DeadlineAction.Close:
                return Commit(Ended(next with { Status = CaseStatus.Closed }, now),
                    [new HistoryEntry(now, "closed", System, fired, "deadline reached; playbook closes the case")], [], now);
            case DeadlineAction.Escalate:
                return Commit(next with { Status = CaseStatus.Escalated },
                    [new HistoryEntry(now, "escalated", System, fired, "deadline reached without a resolution; escalated to ops")],
                    [new SendNotification(NotificationKind.DeadlineReached)], now);
        }

        var verdict = SafetyChecks.ForAutomatedSuspension(state, facts, safeties, now);
        var blockers = string.Join(", ", verdict.Checks.Where(c => !c.Passed).Select(c => c.Name));
        if (playbook.DryRun)
        {
            var (what, detail) = verdict.Allowed
                ? ("would-suspend (dry run)", "deadline reached; the safeties would allow suspension, but the playbook is a dry run; escalated to ops")
                : ("would-hold-suspension (dry run)", $"deadline reached; dry run, and {blockers} would block suspension anyway; escalated to ops");
            return Commit(next with { Status = CaseStatus.Escalated },
                [new HistoryEntry(now, what, System, $"{rule}.dryRun=true", detail, verdict.Lines)],
                [new SendNotification(NotificationKind.DeadlineReached)], now);
        }

        if (verdict.Allowed)
        {
            var reason = $"{state.AbuseClass.ToWireName()} case {state.CaseId}: deadline {state.Deadline:O} passed without a resolution";
            return Commit(next with { Status = CaseStatus.Suspended, SuspendedAt = now },
                [new HistoryEntry(now, "suspended", System, fired, "deadline reached without a resolution; every safety passed", verdict.Lines)],
                [new PlatformAction(PlatformActionKind.Suspend, reason), new CountAutomatedSuspension(), new SendNotification(NotificationKind.Suspended)], now);
        }

        List<CaseEffect> effects = [new SendNotification(NotificationKind.DeadlineReached)];
        var breaker = verdict.Checks.Single(c => c.Name == SafetyChecks.CircuitBreaker);
        if (!breaker.Passed && !facts.BreakerOpen)
        {
            // This decision is the one that hit the limit: open the breaker so the next ones need not each find out.
            effects.Add(new TripCircuitBreaker(breaker.Detail));
        }

        return Commit(next with { Status = CaseStatus.SuspensionPending },
            [new HistoryEntry(now, "suspension-held", System, fired, $"deadline reached; automated suspension blocked by {blockers}; an ops person decides", verdict.Lines)],
            effects, now);
    }

    // ---- customer ------------------------------------------------------------------------------------

    private static CaseDecision OnResolution(CaseState state, CustomerResolution resolution, Playbook playbook, string rule, DateTimeOffset now)
    {
        var allowed = ResolutionsAllowed(state).Select(Wire).ToArray();
        if (!allowed.Contains(Wire(resolution.Kind)))
        {
            return new Refused($"'{Wire(resolution.Kind)}' is not possible while the case is {state.Status.ToWireName()}", allowed);
        }

        var text = resolution.Text?.Trim();
        switch (resolution.Kind)
        {
            case ResolutionKind.Fixed:
                if (string.IsNullOrEmpty(text))
                {
                    return new Refused("a fix needs a description of what was done", allowed);
                }

                // Who has to look at the fix before the case ends, most specific first.
                var reviewRule =
                    state.Status == CaseStatus.Suspended || state.ResourceSuspended ? "case:suspended (a person lifts a suspension)"
                    : state.TerminationRequestedBy is not null ? "case:termination-requested (a person decides)"
                    : $"{rule}.resolutionNeedsApproval={playbook.ResolutionNeedsApproval.ToString().ToLowerInvariant()}";
                var needsReview = playbook.ResolutionNeedsApproval || state.Status == CaseStatus.Suspended
                    || state.ResourceSuspended || state.TerminationRequestedBy is not null;
                var fixedState = state with
                {
                    Status = needsReview ? CaseStatus.PendingReview : CaseStatus.Resolved,
                    Resolution = "fixed",
                    ResolutionNote = text,
                    ResolvedAt = now,
                    Version = state.Version + 1,
                };
                return needsReview
                    ? Commit(fixedState, [new HistoryEntry(now, "resolution-pending-review", Customer, reviewRule, text)], [], now)
                    : Commit(Ended(fixedState, now), [new HistoryEntry(now, "resolved", Customer, reviewRule, text)],
                        [new SendNotification(NotificationKind.ResolutionAccepted)], now);

            case ResolutionKind.Disputed:
                if (string.IsNullOrEmpty(text))
                {
                    return new Refused("a dispute needs a reason", allowed);
                }

                // A suspended customer's dispute must not change the status: the platform still holds the
                // resource, and only reinstate (or terminate) may move the case on from there.
                var disputed = state.Status == CaseStatus.Suspended
                    ? state with { Resolution = "disputed", ResolutionNote = text }
                    : state with { Status = CaseStatus.Disputed, Resolution = "disputed", ResolutionNote = text, Version = state.Version + 1 };
                return Commit(disputed, [new HistoryEntry(now, "disputed", Customer, null, text)],
                    [new SendNotification(NotificationKind.Escalated)], now);

            default:
                var extension = playbook.Deadline ?? OpsExtension;
                var newDeadline = Later(state.Deadline, now) + extension;
                var extended = state with { Deadline = newDeadline, ExtensionUsed = true, Version = state.Version + 1 };
                return Commit(extended,
                    [new HistoryEntry(now, "extended", Customer, $"{rule}.deadline", $"more time asked; deadline moved to {newDeadline:O}" + (string.IsNullOrEmpty(text) ? "" : $": {text}"))],
                    [new ArmTimer(TimerKind.Deadline, newDeadline, extended.Version)], now);
        }
    }

    private static CaseDecision OnCustomerMessage(CaseState state, CustomerMessage message, DateTimeOffset now)
    {
        var text = message.Text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return new Refused("the message is empty", [Message]);
        }

        return new Transition(state, [new HistoryEntry(now, "customer-message", Customer, null, text)], []);
    }

    /// <summary>The history line of the customer's words to the reporters (the conversation shows it).</summary>
    public const string ToReporters = "customer-to-reporter";

    private static CaseDecision OnMessageToReporters(CaseState state, MessageToReporters message, DateTimeOffset now)
    {
        var text = message.Text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return new Refused("the message is empty", [Message]);
        }

        if (message.Reach is not { } reach)
        {
            return new NoChange("the reporters were not looked up");
        }

        if (reach.Writable.Count == 0)
        {
            // Said to the customer as it is: some reporters ask not to be written to, some leave no address.
            return new Refused(reach.Declined > 0
                ? "the reporter of this case asked not to be contacted, so we cannot pass a message on; write to the abuse team instead"
                : "the reports in this case came without an address to write back to; write to the abuse team instead", [Message]);
        }

        var to = reach.Writable.DistinctBy(r => r.ReporterId).ToList();
        var rule = to.Count == 1 ? "relayed to 1 reporter" : $"relayed to {to.Count} reporters";
        return new Transition(state, [new HistoryEntry(now, ToReporters, Customer, rule, text)], [new RelayToReporters(text, to)]);
    }

    /// <summary>The history line of a reporter's reply by mail (the conversation shows it, without the reporter's address).</summary>
    public const string FromReporter = "reporter-message";

    /// <summary>The actor of a reporter's words in the history (which reporter is in the line's rule, for ops).</summary>
    public const string Reporter = "reporter";

    private static CaseDecision OnMailReply(CaseState state, MailReply reply, DateTimeOffset now)
    {
        var text = reply.Text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return new Refused("the reply has no words of its own", []);
        }

        var sender = reply.SenderVerified ? "sender verified" : "sender not verified";
        if (reply.From == ReplyParty.Customer)
        {
            return new Transition(state, [new HistoryEntry(now, "customer-message", Customer, $"by mail; {sender}", text)], []);
        }

        // The customer hears of the answer (they wrote and may be waiting for it to act), but only when the sender is
        // vouched for: a mail from the desk's own address must never carry a forger's words. An unverified answer
        // waits on the case page, marked as such.
        return new Transition(state,
            [new HistoryEntry(now, FromReporter, Reporter, $"reporter {reply.ReporterId ?? "unknown"} by mail; {sender}", text)],
            reply.SenderVerified ? [new SendNotification(NotificationKind.ReporterReply, text)] : []);
    }

    // ---- ops -----------------------------------------------------------------------------------------

    private static CaseDecision OnOpsAction(CaseState state, OpsAction action, Playbook playbook, DateTimeOffset now)
    {
        var allowed = OpsActionsAllowed(state);
        if (!allowed.Contains(action.Action))
        {
            return new Refused($"'{action.Action}' is not possible while the case is {state.Status.ToWireName()}", allowed);
        }

        var actor = action.Actor?.Trim();
        if (string.IsNullOrEmpty(actor))
        {
            return new Refused("an ops action needs an actor", allowed);
        }

        var reason = string.IsNullOrWhiteSpace(action.Reason) ? null : action.Reason.Trim();
        if (reason is null && NeedsReason.Contains(action.Action))
        {
            return new Refused(action.Action == Message ? "a message needs text (in 'reason')" : $"'{action.Action}' needs a written reason", allowed);
        }

        var opsRule = $"ops:{action.Action}";
        HistoryEntry Entry(string what, string? detail) => new(now, what, actor, opsRule, detail);
        var next = state with { Version = state.Version + 1 };
        switch (action.Action)
        {
            case ApproveSuspension:
                // A person decided, so this is not counted towards the circuit breaker's automated limit.
                return Commit(next with { Status = CaseStatus.Suspended, SuspendedAt = now }, [Entry("suspended", reason)],
                    [new PlatformAction(PlatformActionKind.Suspend, $"approved by {actor}: {reason}"), new SendNotification(NotificationKind.Suspended)], now);

            case RejectSuspension:
                return Commit(next with { Status = CaseStatus.Escalated }, [Entry("suspension-rejected", reason)], [], now);

            case Reinstate:
                return Commit(next with { Status = CaseStatus.Reinstated, ReinstatedAt = now }, [Entry("reinstated", reason)],
                    [
                        new PlatformAction(PlatformActionKind.Reinstate, reason is null ? $"reinstated by {actor}" : $"reinstated by {actor}: {reason}"),
                        new RecordManualReinstatement(now),
                        new SendNotification(NotificationKind.Reinstated),
                    ], now);

            case Close:
                return Commit(Ended(next with { Status = CaseStatus.Closed }, now), [Entry("closed", reason)], [], now);

            case Reopen:
                if (!playbook.Notify)
                {
                    return Commit(Reopened(state) with { Status = CaseStatus.Escalated, Deadline = null, Version = state.Version + 1 },
                        [Entry("reopened", reason)], [], now);
                }

                // A reopened case gets a fresh deadline from its playbook, with live timers: never a past one. And
                // the customer hears about it, because a deadline nobody told them about can end in a suspension.
                var (reopened, timers) = FreshDeadline(Reopened(state), playbook, now);
                return Commit(reopened, [Entry("reopened", reason)], [new SendNotification(NotificationKind.FirstNotice), .. timers], now);

            case Extend:
                var newDeadline = Later(state.Deadline, now) + OpsExtension;
                var extended = next with { Status = CaseStatus.Notified, Deadline = newDeadline };
                return Commit(extended, [Entry("extended", $"deadline moved to {newDeadline:O}" + (reason is null ? "" : $": {reason}"))],
                    [new ArmTimer(TimerKind.Deadline, newDeadline, extended.Version)], now);

            case Message:
                return Commit(state, [Entry("ops-message", reason)], [new SendNotification(NotificationKind.OpsMessage, reason)], now);

            case RequestTermination:
                // Not a plan change (no version bump): nothing happens to the customer until a second person approves.
                return Commit(state with { TerminationRequestedBy = actor, TerminationReason = reason }, [Entry("termination-requested", reason)], [], now);

            case ApproveTermination:
                if (string.Equals(actor, state.TerminationRequestedBy?.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    return new Refused("termination needs a second, different ops person", allowed);
                }

                var both = $"requested by {state.TerminationRequestedBy}: {state.TerminationReason}; approved by {actor}: {reason}";
                return Commit(next with { Status = CaseStatus.Terminated, EndedAt = now }, [Entry("terminated", both)],
                    [new PlatformAction(PlatformActionKind.Terminate, both), new SendNotification(NotificationKind.Terminated)], now);

            case ApproveResolution:
                var accepted = Ended(next with { Status = CaseStatus.Resolved }, now);
                if (!state.ResourceSuspended)
                {
                    return Commit(accepted, [Entry("resolved", reason)], [new SendNotification(NotificationKind.ResolutionAccepted)], now);
                }

                // The fix came in while suspended: accepting it is what lifts the suspension.
                return Commit(accepted with { ReinstatedAt = now }, [Entry("resolved", reason), Entry("reinstated", "fix accepted")],
                    [
                        new PlatformAction(PlatformActionKind.Reinstate, $"fix accepted by {actor}" + (reason is null ? "" : $": {reason}")),
                        new RecordManualReinstatement(now),
                        new SendNotification(NotificationKind.ResolutionAccepted),
                        new SendNotification(NotificationKind.Reinstated),
                    ], now);

            default: // RejectResolution
                var rejected = state with { Resolution = null, ResolutionNote = null, ResolvedAt = null };
                if (state.ResourceSuspended)
                {
                    // Still suspended at the platform: back to Suspended, not to a deadline that would suspend again.
                    return Commit(rejected with { Status = CaseStatus.Suspended, Version = state.Version + 1 }, [Entry("resolution-rejected", reason)],
                        [new SendNotification(NotificationKind.OpsMessage, reason)], now);
                }

                var (renotified, freshTimers) = FreshDeadline(rejected, playbook, now);
                return Commit(renotified, [Entry("resolution-rejected", reason)],
                    [new SendNotification(NotificationKind.OpsMessage, reason), .. freshTimers], now);
        }
    }

    // ---- shared steps --------------------------------------------------------------------------------

    /// <summary>
    /// The one place a transition is built. Whatever told the customer something also resets the digest
    /// bookkeeping, so the next digest only carries what they have not heard about, and a digest timer armed
    /// before this notice finds nothing pending.
    /// </summary>
    private static Transition Commit(CaseState state, IReadOnlyList<HistoryEntry> history, IReadOnlyList<CaseEffect> effects, DateTimeOffset now)
    {
        if (effects.Any(e => e is SendNotification))
        {
            state = state with { LastNoticeAt = now, EventsAtLastNotice = state.EventCount, DigestDueAt = null };
        }

        return new Transition(state, history, effects);
    }

    /// <summary>Notified with the playbook's deadline counted from now and timers for the new version.</summary>
    private static (CaseState State, List<CaseEffect> Timers) FreshDeadline(CaseState state, Playbook playbook, DateTimeOffset now)
    {
        var deadline = playbook.Deadline is { } length ? now + length : (DateTimeOffset?)null;
        var next = state with { Status = CaseStatus.Notified, Deadline = deadline, Version = state.Version + 1 };
        var timers = new List<CaseEffect>();
        if (deadline is { } due)
        {
            if (playbook.Reminder is { } reminder)
            {
                timers.Add(new ArmTimer(TimerKind.Reminder, now + reminder, next.Version));
            }

            timers.Add(new ArmTimer(TimerKind.Deadline, due, next.Version));
        }

        return (next, timers);
    }

    /// <summary>An ended case back in play: the last round's outcome no longer describes it.</summary>
    private static CaseState Reopened(CaseState state) =>
        state with { EndedAt = null, Resolution = null, ResolutionNote = null, ResolvedAt = null };

    /// <summary>
    /// A case that ends drops its pending termination request (nobody can approve it on an ended case, and it
    /// must not wait to be approved after a reopen) and its pending digest.
    /// </summary>
    private static CaseState Ended(CaseState state, DateTimeOffset now) =>
        state with { EndedAt = now, TerminationRequestedBy = null, TerminationReason = null, DigestDueAt = null };

    /// <summary>An extension counts from the deadline, or from now when the deadline has already passed.</summary>
    private static DateTimeOffset Later(DateTimeOffset? deadline, DateTimeOffset now) =>
        deadline is { } d && d > now ? d : now;

    public static string Wire(ResolutionKind kind) => kind switch
    {
        ResolutionKind.MoreTime => "more-time",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
