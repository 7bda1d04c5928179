using AbuseDesk.Domain.Cases;
using Microsoft.DurableTask;

namespace AbuseDesk.Functions.Cases;

/// <summary>A timer the case armed: due at <see cref="DueAt"/>, for case version <see cref="Version"/>.</summary>
public sealed record ArmedTimer(TimerKind Kind, int Version, DateTimeOffset DueAt);

/// <summary>
/// What reaches a case's orchestration: new events (<see cref="EventCount"/>: the case's count once they were
/// attached), a timer come due, the customer's or ops' input (<see cref="RequestId"/> names the answer the
/// asker waits for), the customer's digest sent, or "refresh" (read the case again: a restarted orchestration).
/// </summary>
public sealed record CaseSignal(
    string Kind,
    int? EventCount = null,
    ArmedTimer? Timer = null,
    string? RequestId = null,
    string? Resolution = null,
    string? Text = null,
    string? Action = null,
    string? Actor = null,
    DateTimeOffset? At = null,
    string? ReporterId = null,
    bool? Verified = null)
{
    public const string Events = "events";
    public const string TimerDue = "timer";
    public const string CustomerResolution = "resolution";
    public const string CustomerMessage = "message";
    public const string ToReporters = "to-reporters";
    public const string MailReply = "mail-reply";
    public const string Ops = "ops";
    public const string DigestSent = "digest-sent";
    public const string Refresh = "refresh";

    public static CaseSignal NewEvents(int eventCount) => new(Events, EventCount: eventCount);

    public static CaseSignal Due(ArmedTimer timer) => new(TimerDue, Timer: timer);

    public static CaseSignal Digest(DateTimeOffset at, int eventsCovered) => new(DigestSent, EventCount: eventsCovered, At: at);

    /// <summary>The portal's or ops' input as a signal; null for an input they cannot send.</summary>
    public static CaseSignal? From(CaseInput input, string requestId) => input switch
    {
        Domain.Cases.CustomerResolution r => new(CustomerResolution, RequestId: requestId, Resolution: r.Kind.ToString(), Text: r.Text),
        Domain.Cases.CustomerMessage m => new(CustomerMessage, RequestId: requestId, Text: m.Text),
        MessageToReporters m => new(ToReporters, RequestId: requestId, Text: m.Text),
        Domain.Cases.MailReply r => new(MailReply, RequestId: requestId, Text: r.Text, Actor: r.From == ReplyParty.Customer ? CaseStateMachine.Customer : CaseStateMachine.Reporter,
            ReporterId: r.ReporterId, Verified: r.SenderVerified),
        OpsAction a => new(Ops, RequestId: requestId, Action: a.Action, Actor: a.Actor, Text: a.Reason),
        _ => null,
    };

    /// <summary>The state machine's input for this signal on a case now in <paramref name="state"/>; null for nothing to decide.</summary>
    public CaseInput? ToInput(CaseState state) => Kind switch
    {
        // Events attached to a case that has ended reopen it (within the playbook's window: AssignEvents decided so).
        Events => state.Status.IsOpen() ? new EventsAdded() : new EventsAfterEnd(),
        TimerDue => new Domain.Cases.TimerDue(Timer!.Kind, Timer.Version),
        CustomerResolution => new Domain.Cases.CustomerResolution(Enum.Parse<ResolutionKind>(Resolution!), Text),
        CustomerMessage => new Domain.Cases.CustomerMessage(Text ?? ""),
        // Who can be written to is looked up by the step when it decides (CaseTransitions).
        ToReporters => new MessageToReporters(Text ?? ""),
        MailReply => new Domain.Cases.MailReply(Actor == CaseStateMachine.Reporter ? ReplyParty.Reporter : ReplyParty.Customer, Text ?? "", Verified ?? false, ReporterId),
        Ops => new OpsAction(Action!, Actor!, Text),
        DigestSent => new CustomerDigestSent(At!.Value, EventCount!.Value),
        // A case that never got its first notice (its orchestration failed before) starts its playbook now.
        Refresh => state.Status == CaseStatus.New ? new EventsAdded() : null,
        _ => throw new InvalidOperationException($"unknown case signal '{Kind}'"),
    };
}

/// <summary>One run of a case orchestration until it continues as new: the timers it waits for, the event count its last step read, and signals not yet taken.</summary>
/// <param name="Shape">
/// The orchestrator's shape this episode was started under. A running case replays its history under the code that
/// wrote it: a change to the orchestrator's sequence of awaits takes a new shape number, and the code keeps the
/// old path for episodes that carry the old number until they continue as new (docs/case-orchestration.md).
/// </param>
public sealed record CaseEpisode(string CaseId, IReadOnlyList<ArmedTimer> Timers, int EventsSeen, IReadOnlyList<CaseSignal> Pending, int Shape = CaseOrchestration.Shape);

/// <summary>A case step: the signal to apply, under the step's id (its effects happen once, however often it runs).</summary>
public sealed record CaseStepRequest(string CaseId, string StepId, CaseSignal Signal);

/// <summary>
/// What a step left: the case's version, event count and timers, whether it has ended, and what became of the
/// input ("changed", "unchanged", "refused", "early": a timer that fired before its time, "missing": no such case).
/// </summary>
/// <param name="Final">Terminated: nothing can move the case any more.</param>
public sealed record CaseStep(string Outcome, int Version, int EventCount, bool Ended, IReadOnlyList<ArmedTimer> Timers, bool Final = false)
{
    public const string Changed = "changed";
    public const string Unchanged = "unchanged";
    public const string Refused = "refused";
    public const string Early = "early";
    public const string Missing = "missing";
}

/// <summary>
/// The case as a Durable orchestration (instance "case-{caseId}"), the playbook's loop read top to bottom: wait for
/// the first of new events, the customer's or ops' input, or the next of the case's timers (reminder, deadline,
/// digest); apply it through one activity, where the pure state machine decides and every effect (history, mail,
/// platform message, reporter feedback) commits with the case and is sent once; go on with the timers the
/// decision left. The safety checks run inside the step that acts on a deadline, on facts read at that moment.
/// After <see cref="StepsPerEpisode"/> steps the history is cut short with ContinueAsNew. A case that was resolved or
/// closed keeps waiting (news or ops may reopen it); only a terminated case's orchestration completes. It is started
/// once, by the attach that opened the case, and everything else is raised to it: two starts of one instance at
/// the same moment corrupt it (docs/case-orchestration.md).
/// </summary>
public static class CaseOrchestration
{
    public const string Name = nameof(CaseOrchestration);

    /// <summary>The external event every input arrives as.</summary>
    public const string SignalEvent = "case-signal";

    public const int Shape = 1;

    public const int StepsPerEpisode = 20;

    public static string InstanceFor(string caseId) => "case-" + caseId;

    public static string? CaseOf(string instanceId) => instanceId.StartsWith("case-", StringComparison.Ordinal) ? instanceId[5..] : null;

    [Function(Name)]
    public static async Task RunAsync([OrchestrationTrigger] TaskOrchestrationContext context, CaseEpisode episode)
    {
        var timers = episode.Timers;
        var eventsSeen = episode.EventsSeen;
        var pending = new Queue<CaseSignal>(episode.Pending);
        for (var step = 0; step < StepsPerEpisode; step++)
        {
            var signal = pending.Count > 0 ? pending.Dequeue() : await NextAsync(context, timers);

            if (signal is { Kind: CaseSignal.Events, EventCount: { } count } && count <= eventsSeen)
            {
                // Attached before the last step read the case: that step decided with them already.
                continue;
            }

            var result = await context.CallActivityAsync<CaseStep>(ApplyCaseStep.Name, new CaseStepRequest(episode.CaseId, context.NewGuid().ToString("N"), signal), EngineStarts.StepRetries);
            if (result.Outcome == CaseStep.Missing || (result.Final && result.Timers.Count == 0))
            {
                // No such case, or terminated: nothing can move it any more. Its history rows stay with the case.
                return;
            }

            timers = result.Timers;
            eventsSeen = Math.Max(eventsSeen, result.EventCount);
        }

        context.ContinueAsNew(new CaseEpisode(episode.CaseId, timers, eventsSeen, [.. pending, .. Buffered<CaseSignal>(context, SignalEvent)]), preserveUnprocessedEvents: false);
    }

    /// <summary>
    /// Events the engine has delivered and nobody waited for yet, taken now: a new episode carries them in its input
    /// rather than trusting the engine's carry-over, which lost some across ContinueAsNew in the in-process engine.
    /// A buffered event completes its waiter at once; the first waiter that does not complete ends the list.
    /// </summary>
    internal static List<T> Buffered<T>(TaskOrchestrationContext context, string eventName)
    {
        var taken = new List<T>();
        // Bounded for the analyzer's sake: far more than one episode's engine batch can hold.
        for (var i = 0; i < 10_000; i++)
        {
            using var cancel = new CancellationTokenSource();
            var next = context.WaitForExternalEvent<T>(eventName, cancel.Token);
            if (!next.IsCompletedSuccessfully)
            {
                cancel.Cancel();
                return taken;
            }

            taken.Add(next.Result);
        }

        return taken;
    }

    /// <summary>The next input: a signal, or the earliest timer come due, whichever is first.</summary>
    private static async Task<CaseSignal> NextAsync(TaskOrchestrationContext context, IReadOnlyList<ArmedTimer> timers)
    {
        var next = timers.MinBy(t => t.DueAt);
        if (next is null)
        {
            return await context.WaitForExternalEvent<CaseSignal>(SignalEvent);
        }

        using var cancel = new CancellationTokenSource();
        var signal = context.WaitForExternalEvent<CaseSignal>(SignalEvent, cancel.Token);
        var timer = context.CreateTimer(next.DueAt.UtcDateTime, cancel.Token);
        var first = await Task.WhenAny(signal, timer);
        cancel.Cancel();
        return first == signal ? await signal : CaseSignal.Due(next);
    }
}
