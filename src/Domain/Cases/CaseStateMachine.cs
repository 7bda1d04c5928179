namespace AbuseDesk.Domain.Cases;

/// <summary>
/// The case playbook as a pure function: (state, input, playbooks, now) → decision. All I/O — the ETag-guarded
/// commit, the outbox, the timers — lives in the app; this class only decides, so every rule is testable
/// with a fixed clock.
/// </summary>
public static class CaseStateMachine
{
    public const string System = "system";
    public const string Customer = "customer";

    public static CaseDecision Decide(CaseState state, CaseInput input, PlaybookSet playbooks, DateTimeOffset now)
    {
        var playbook = playbooks.For(state.AbuseClass);
        var rule = $"playbook:{Parsing.AbuseClasses.ToWireName(state.AbuseClass)}";
        return input switch
        {
            EventsAdded => OnEvents(state, playbook, rule, now),
            TimerDue timer => OnTimer(state, timer, playbook, rule, now),
            CustomerResolution resolution => OnResolution(state, resolution, playbook, rule, now),
            CustomerMessage message => OnCustomerMessage(state, message, now),
            OpsAction action => OnOpsAction(state, action, playbook, rule, now),
            _ => throw new ArgumentOutOfRangeException(nameof(input), input, "unknown case input"),
        };
    }

    /// <summary>What the portal offers the customer in this state.</summary>
    public static IReadOnlyList<ResolutionKind> ResolutionsAllowed(CaseState state) => state.Status switch
    {
        CaseStatus.Notified or CaseStatus.Escalated or CaseStatus.Suspended or CaseStatus.SuspensionPending =>
            state.ExtensionUsed || state.Deadline is null
                ? [ResolutionKind.Fixed, ResolutionKind.Disputed]
                : [ResolutionKind.Fixed, ResolutionKind.Disputed, ResolutionKind.MoreTime],
        _ => [],
    };

    public static IReadOnlyList<string> OpsActionsAllowed(CaseState state) => state.Status switch
    {
        CaseStatus.Closed or CaseStatus.Resolved => ["reopen", "message"],
        CaseStatus.Terminated => [],
        CaseStatus.PendingReview => ["close", "reopen", "message"],
        _ when state.Deadline is not null => ["close", "extend", "message"],
        _ => ["close", "message"],
    };

    private static CaseDecision OnEvents(CaseState state, Playbook playbook, string rule, DateTimeOffset now)
    {
        if (state.Status != CaseStatus.New)
        {
            // Digests of new events on a notified case come with the notification work (issue 4/5).
            return new NoChange("case already past its first notice");
        }

        if (!playbook.Notify)
        {
            var quiet = state with { Status = CaseStatus.Escalated, Version = state.Version + 1 };
            return new Transition(quiet, [new HistoryEntry(now, "escalated", System, $"{rule}.notify=false", "playbook does not notify the customer; ops decide")], []);
        }

        var deadline = playbook.Deadline is { } d ? now + d : (DateTimeOffset?)null;
        var notified = state with
        {
            Status = CaseStatus.Notified,
            NotifiedAt = now,
            Deadline = deadline,
            Version = state.Version + 1,
        };
        var effects = new List<CaseEffect> { new SendNotification(NotificationKind.FirstNotice) };
        if (playbook.Reminder is { } reminder && deadline is not null)
        {
            effects.Add(new ArmTimer(TimerKind.Reminder, now + reminder, notified.Version));
        }

        if (deadline is { } due)
        {
            effects.Add(new ArmTimer(TimerKind.Deadline, due, notified.Version));
        }

        var detail = deadline is { } at ? $"customer notified; deadline {at:O}" : "customer notified; informational, no deadline";
        return new Transition(notified, [new HistoryEntry(now, "notified", System, $"{rule}.notify", detail)], effects);
    }

    private static CaseDecision OnTimer(CaseState state, TimerDue timer, Playbook playbook, string rule, DateTimeOffset now)
    {
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
            return new Transition(state, [new HistoryEntry(now, "reminded", System, $"{rule}.reminder", "reminder sent at half time")],
                [new SendNotification(NotificationKind.Reminder)]);
        }

        return playbook.OnDeadline switch
        {
            DeadlineAction.Close => new Transition(
                state with { Status = CaseStatus.Closed, Version = state.Version + 1 },
                [new HistoryEntry(now, "closed", System, $"{rule}.onDeadline=close", "deadline reached; playbook closes the case")],
                []),
            // Suspension and its safeties are the case workflow issue's work; until then a deadline
            // never acts on a customer automatically and a human decides.
            _ => new Transition(
                state with { Status = CaseStatus.Escalated, Version = state.Version + 1 },
                [new HistoryEntry(now, "escalated", System, $"{rule}.onDeadline={playbook.OnDeadline.ToString().ToLowerInvariant()}", "deadline reached without a resolution; escalated to ops")],
                [new SendNotification(NotificationKind.DeadlineReached)]),
        };
    }

    private static CaseDecision OnResolution(CaseState state, CustomerResolution resolution, Playbook playbook, string rule, DateTimeOffset now)
    {
        var allowed = ResolutionsAllowed(state);
        if (!allowed.Contains(resolution.Kind))
        {
            return new Refused($"'{Wire(resolution.Kind)}' is not possible while the case is {state.Status.ToWireName()}", allowed.Select(Wire).ToArray());
        }

        var text = resolution.Text?.Trim();
        switch (resolution.Kind)
        {
            case ResolutionKind.Fixed:
                if (string.IsNullOrEmpty(text))
                {
                    return new Refused("a fix needs a description of what was done", allowed.Select(Wire).ToArray());
                }

                var status = playbook.ResolutionNeedsApproval ? CaseStatus.PendingReview : CaseStatus.Resolved;
                var fixedState = state with
                {
                    Status = status,
                    Resolution = "fixed",
                    ResolutionNote = text,
                    ResolvedAt = now,
                    Version = state.Version + 1,
                };
                var what = status == CaseStatus.Resolved ? "resolved" : "resolution-pending-review";
                return new Transition(fixedState, [new HistoryEntry(now, what, Customer, $"{rule}.resolutionNeedsApproval={playbook.ResolutionNeedsApproval.ToString().ToLowerInvariant()}", text)],
                    status == CaseStatus.Resolved ? [new SendNotification(NotificationKind.ResolutionAccepted)] : []);

            case ResolutionKind.Disputed:
                if (string.IsNullOrEmpty(text))
                {
                    return new Refused("a dispute needs a reason", allowed.Select(Wire).ToArray());
                }

                return new Transition(
                    state with { Status = CaseStatus.Disputed, Resolution = "disputed", ResolutionNote = text, Version = state.Version + 1 },
                    [new HistoryEntry(now, "disputed", Customer, null, text)],
                    []);

            default:
                var extension = playbook.Deadline ?? TimeSpan.FromHours(24);
                var newDeadline = Later(state.Deadline, now) + extension;
                var extended = state with { Deadline = newDeadline, ExtensionUsed = true, Version = state.Version + 1 };
                return new Transition(extended,
                    [new HistoryEntry(now, "extended", Customer, $"{rule}.deadline", $"more time asked; deadline moved to {newDeadline:O}" + (string.IsNullOrEmpty(text) ? "" : $": {text}"))],
                    [new ArmTimer(TimerKind.Deadline, newDeadline, extended.Version)]);
        }
    }

    private static CaseDecision OnCustomerMessage(CaseState state, CustomerMessage message, DateTimeOffset now)
    {
        var text = message.Text.Trim();
        if (text.Length == 0)
        {
            return new Refused("the message is empty", ["message"]);
        }

        return new Transition(state, [new HistoryEntry(now, "customer-message", Customer, null, text)], []);
    }

    private static CaseDecision OnOpsAction(CaseState state, OpsAction action, Playbook playbook, string rule, DateTimeOffset now)
    {
        var allowed = OpsActionsAllowed(state);
        if (!allowed.Contains(action.Action))
        {
            return new Refused($"'{action.Action}' is not possible while the case is {state.Status.ToWireName()}", allowed);
        }

        if (string.IsNullOrWhiteSpace(action.Actor))
        {
            return new Refused("an ops action needs an actor", allowed);
        }

        var reason = action.Reason?.Trim();
        switch (action.Action)
        {
            case "close":
                return new Transition(state with { Status = CaseStatus.Closed, Version = state.Version + 1 },
                    [new HistoryEntry(now, "closed", action.Actor, "ops:close", reason)], []);
            case "reopen":
                // A reopened case gets a fresh deadline from its playbook, with live timers: never a past one.
                var reopened = state with
                {
                    Status = CaseStatus.Notified,
                    Resolution = null,
                    ResolutionNote = null,
                    ResolvedAt = null,
                    Deadline = playbook.Deadline is { } length ? now + length : null,
                    Version = state.Version + 1,
                };
                List<CaseEffect> timers = reopened.Deadline is { } due ? [new ArmTimer(TimerKind.Deadline, due, reopened.Version)] : [];
                return new Transition(reopened,
                    [new HistoryEntry(now, "reopened", action.Actor, "ops:reopen", reason)], timers);
            case "extend":
                var newDeadline = Later(state.Deadline, now) + TimeSpan.FromHours(24);
                var extended = state with { Deadline = newDeadline, Version = state.Version + 1 };
                return new Transition(extended, [new HistoryEntry(now, "extended", action.Actor, "ops:extend", $"deadline moved to {newDeadline:O}" + (reason is null ? "" : $": {reason}"))],
                    [new ArmTimer(TimerKind.Deadline, newDeadline, extended.Version)]);
            default:
                if (string.IsNullOrEmpty(reason))
                {
                    return new Refused("a message needs text (in 'reason')", allowed);
                }

                return new Transition(state, [new HistoryEntry(now, "ops-message", action.Actor, "ops:message", reason)],
                    [new SendNotification(NotificationKind.OpsMessage, reason)]);
        }
    }

    /// <summary>An extension counts from the deadline, or from now when the deadline has already passed.</summary>
    private static DateTimeOffset Later(DateTimeOffset? deadline, DateTimeOffset now) =>
        deadline is { } d && d > now ? d : now;

    public static string Wire(ResolutionKind kind) => kind switch
    {
        ResolutionKind.MoreTime => "more-time",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
