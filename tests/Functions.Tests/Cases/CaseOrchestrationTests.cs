using System.Collections.Concurrent;
using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Functions.Cases;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;

namespace AbuseDesk.Functions.Tests.Cases;

/// <summary>
/// The case orchestration on the Durable Task engine in process (InProcessTestHost: the real DurableTask.Core
/// dispatchers, timers and event buffering, in memory). Its steps run against <see cref="FakeCaseSteps"/>, the
/// pure state machine over cases held in memory: what is tested here is the orchestration's waiting — signals,
/// timers, ContinueAsNew, digests — with playbooks of seconds.
/// </summary>
public sealed class CaseOrchestrationTests : IAsyncLifetime
{
    private const string Playbooks = """
        playbooks:
          default:  { notify: true, deadline: PT72H, reminder: PT36H, onDeadline: escalate }
          malware:  { notify: true, deadline: PT3S, reminder: PT1S, onDeadline: suspend }
          fraud:    { notify: true, deadline: PT4S, reminder: ~, onDeadline: suspend }
          spam:     { notify: true, deadline: PT6S, reminder: ~, onDeadline: suspend }
          ddos:     { notify: true, deadline: PT2S, reminder: ~, onDeadline: escalate }
        safeties:
          manualReviewAfterCustomerAge: P90D
          reinstatementGrace: P7D
          maxAutomatedSuspensionsPerHour: 3
        digestWindow: PT24H
        reopenWindow: P7D
        """;

    private readonly FakeCaseSteps _cases = new(PlaybookYaml.Parse(Playbooks));
    private DurableTaskTestHost _host = null!;

    private DurableTaskClient Client => _host.Client;

    public async Task InitializeAsync()
    {
        _host = await InProcessEngine.StartAsync(registry =>
        {
            registry.AddOrchestratorFunc<CaseEpisode>(CaseOrchestration.Name, (context, episode) => CaseOrchestration.RunAsync(context, episode));
            registry.AddActivityFunc<CaseStepRequest, CaseStep>(Named(ApplyCaseStep.Name), (_, request) => _cases.Apply(request));
            registry.AddOrchestratorFunc<DigestEpisode>(CustomerDigestOrchestration.Name, (context, episode) => CustomerDigestOrchestration.RunAsync(context, episode));
            registry.AddActivityFunc<DigestStepRequest, DigestSent>(Named(SendCustomerDigestStep.Name), (_, request) => _cases.Digest(request.CustomerId));
        });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>
    /// The fake steps take the app's activity names. Passed through here, not as constants: the DurableTask analyzer
    /// indexes activities by constant name and stops with a duplicate key when the app's function has it too.
    /// </summary>
    internal static string Named(string activity) => activity;

    [Fact]
    public async Task A_new_case_is_notified_reminded_and_suspended_at_its_deadline()
    {
        var caseId = await OpenAsync(AbuseClass.Malware);

        await UntilAsync(caseId, s => s.Status == CaseStatus.Suspended, "the deadline to suspend the case");
        Assert.Equal(["events:changed", "timer reminder:changed", "timer deadline:changed"], _cases.Steps(caseId));
        Assert.Empty(_cases.Timers(caseId));
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await Client.GetInstanceAsync(CaseOrchestration.InstanceFor(caseId)))!.RuntimeStatus);
    }

    [Fact]
    public async Task A_fix_before_the_deadline_wins_and_its_timer_never_acts()
    {
        var caseId = await OpenAsync(AbuseClass.Fraud);
        await UntilAsync(caseId, s => s.Status == CaseStatus.Notified, "the first notice");

        await SignalAsync(caseId, new CaseSignal(CaseSignal.CustomerResolution, RequestId: "r1", Resolution: nameof(ResolutionKind.Fixed), Text: "patched and rotated keys"));
        await UntilAsync(caseId, s => s.Resolution == "fixed", "the fix to be recorded");
        var deadline = _cases.State(caseId).Deadline ?? DateTimeOffset.UtcNow;
        await Task.Delay(deadline - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2));

        Assert.NotEqual(CaseStatus.Suspended, _cases.State(caseId).Status);
        Assert.DoesNotContain(_cases.Steps(caseId), s => s.StartsWith("timer deadline", StringComparison.Ordinal));
        Assert.Equal(["events:changed", "resolution:changed"], _cases.Steps(caseId));
    }

    [Fact]
    public async Task News_the_last_step_already_read_costs_no_step()
    {
        var caseId = await OpenAsync(AbuseClass.Spam);
        await UntilAsync(caseId, s => s.Status == CaseStatus.Notified, "the first notice");

        await SignalAsync(caseId, CaseSignal.NewEvents(1));
        _cases.AddEvents(caseId, 4);
        await SignalAsync(caseId, CaseSignal.NewEvents(5));
        await UntilAsync(caseId, _ => _cases.Steps(caseId).Count == 2, "the second events step");
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Equal(["events:changed", "events:changed"], _cases.Steps(caseId));
        Assert.Equal(5, _cases.State(caseId).EventCount);
    }

    [Fact]
    public async Task More_time_moves_the_deadline_and_the_old_timer_is_dropped()
    {
        var caseId = await OpenAsync(AbuseClass.Fraud);
        await UntilAsync(caseId, s => s.Status == CaseStatus.Notified, "the first notice");
        var first = _cases.State(caseId).Deadline!.Value;

        await SignalAsync(caseId, new CaseSignal(CaseSignal.CustomerResolution, RequestId: "r1", Resolution: nameof(ResolutionKind.MoreTime), Text: "need a day"));
        await UntilAsync(caseId, s => s.ExtensionUsed, "the extension");
        var moved = _cases.State(caseId).Deadline!.Value;
        Assert.True(moved > first, $"deadline moved from {first:O} to {moved:O}");
        // Two seconds past the first deadline, two before the new one (the extension adds the playbook's 4 s).
        await Task.Delay(first - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2));

        Assert.Equal(CaseStatus.Notified, _cases.State(caseId).Status);
        Assert.Equal(["events:changed", "resolution:changed"], _cases.Steps(caseId));
        var timer = Assert.Single(_cases.Timers(caseId));
        Assert.Equal((TimerKind.Deadline, moved), (timer.Kind, timer.DueAt));
    }

    [Fact]
    public async Task A_dispute_waits_for_a_person_whose_approval_suspends()
    {
        var caseId = await OpenAsync(AbuseClass.Fraud);
        await UntilAsync(caseId, s => s.Status == CaseStatus.Notified, "the first notice");

        await SignalAsync(caseId, new CaseSignal(CaseSignal.CustomerResolution, RequestId: "r1", Resolution: nameof(ResolutionKind.Disputed), Text: "this is our honeypot"));
        await UntilAsync(caseId, s => s.Status == CaseStatus.Disputed, "the dispute");
        await SignalAsync(caseId, new CaseSignal(CaseSignal.Ops, RequestId: "r2", Action: CaseStateMachine.ApproveSuspension, Actor: "ann", Text: "honeypot claim checked: false"));

        await UntilAsync(caseId, s => s.Status == CaseStatus.Suspended, "the approved suspension");
        Assert.Equal("ann", _cases.History(caseId).Last().Actor);
    }

    [Fact]
    public async Task Termination_takes_two_different_people()
    {
        var caseId = await OpenAsync(AbuseClass.Spam);
        await UntilAsync(caseId, s => s.Status == CaseStatus.Notified, "the first notice");

        await SignalAsync(caseId, new CaseSignal(CaseSignal.Ops, RequestId: "r1", Action: CaseStateMachine.RequestTermination, Actor: "ann", Text: "repeat offender"));
        await UntilAsync(caseId, s => s.TerminationRequestedBy == "ann", "the request");
        await SignalAsync(caseId, new CaseSignal(CaseSignal.Ops, RequestId: "r2", Action: CaseStateMachine.ApproveTermination, Actor: "ann", Text: "me again"));
        await SignalAsync(caseId, new CaseSignal(CaseSignal.Ops, RequestId: "r3", Action: CaseStateMachine.ApproveTermination, Actor: "bob", Text: "agreed"));

        await UntilAsync(caseId, s => s.Status == CaseStatus.Terminated, "the termination");
        Assert.Contains("ops approve-termination:refused", _cases.Steps(caseId));
    }

    [Fact]
    public async Task The_breaker_holds_a_suspension_for_a_person_until_ops_approve()
    {
        var caseId = await OpenAsync(AbuseClass.Malware, new SafetyFacts([], null, 3, true));

        await UntilAsync(caseId, s => s.Status == CaseStatus.SuspensionPending, "the held suspension");
        Assert.Contains(_cases.History(caseId), h => h.Safeties?.Any(l => l.Contains("circuit-breaker: BLOCK", StringComparison.Ordinal)) == true);
        await SignalAsync(caseId, new CaseSignal(CaseSignal.Ops, RequestId: "r1", Action: CaseStateMachine.ApproveSuspension, Actor: "ann", Text: "breaker tripped by a real outbreak"));

        await UntilAsync(caseId, s => s.Status == CaseStatus.Suspended, "the approved suspension");
    }

    [Fact]
    public async Task An_escalating_playbook_escalates_at_the_deadline_and_suspends_nothing()
    {
        var caseId = await OpenAsync(AbuseClass.Ddos);

        await UntilAsync(caseId, s => s.Status == CaseStatus.Escalated, "the deadline to escalate the case");
        Assert.Equal(["events:changed", "timer deadline:changed"], _cases.Steps(caseId));
        Assert.Null(_cases.State(caseId).SuspendedAt);
        Assert.Empty(_cases.Timers(caseId));
    }

    public static TheoryData<string> Safeties => [SafetyChecks.CustomerAge, SafetyChecks.AllowFlag, SafetyChecks.ReinstatementGrace];

    [Theory]
    [MemberData(nameof(Safeties))]
    public async Task Each_safety_holds_the_deadline_suspension_for_a_person(string safety)
    {
        var now = DateTimeOffset.UtcNow;
        var facts = safety switch
        {
            SafetyChecks.AllowFlag => new SafetyFacts([new AllowFlag("cust-1", null, null, "load test this week", "ann", now.AddDays(1))], null, 0, false),
            SafetyChecks.ReinstatementGrace => new SafetyFacts([], now.AddDays(-1), 0, false),
            _ => SafetyFacts.None,
        };
        var caseId = await OpenAsync(AbuseClass.Malware, facts, customerSince: safety == SafetyChecks.CustomerAge ? now.AddDays(-400) : null);

        await UntilAsync(caseId, s => s.Status == CaseStatus.SuspensionPending, "the held suspension");
        var held = _cases.History(caseId).Single(h => h.What == "suspension-held");
        Assert.Contains(held.Safeties!, l => l.StartsWith(safety + ": BLOCK", StringComparison.Ordinal));
        Assert.Null(_cases.State(caseId).SuspendedAt);
    }

    [Fact]
    public async Task More_time_is_granted_once()
    {
        var caseId = await OpenAsync(AbuseClass.Spam);
        await UntilAsync(caseId, s => s.Status == CaseStatus.Notified, "the first notice");

        await SignalAsync(caseId, new CaseSignal(CaseSignal.CustomerResolution, RequestId: "r1", Resolution: nameof(ResolutionKind.MoreTime), Text: "need a day"));
        await SignalAsync(caseId, new CaseSignal(CaseSignal.CustomerResolution, RequestId: "r2", Resolution: nameof(ResolutionKind.MoreTime), Text: "and another"));

        await UntilAsync(caseId, _ => _cases.Steps(caseId).Count == 3, "both requests");
        Assert.Equal(["events:changed", "resolution:changed", "resolution:refused"], _cases.Steps(caseId));
        Assert.True(_cases.State(caseId).ExtensionUsed);
    }

    [Fact]
    public async Task News_after_a_fix_reopens_the_case_and_its_deadline_runs_again()
    {
        var caseId = await OpenAsync(AbuseClass.Fraud);
        await UntilAsync(caseId, s => s.Status == CaseStatus.Notified, "the first notice");
        await SignalAsync(caseId, new CaseSignal(CaseSignal.CustomerResolution, RequestId: "r1", Resolution: nameof(ResolutionKind.Fixed), Text: "patched"));
        await UntilAsync(caseId, s => !s.Status.IsOpen(), "the fix to end the case");

        _cases.AddEvents(caseId, 2);
        await SignalAsync(caseId, CaseSignal.NewEvents(3));

        await UntilAsync(caseId, s => s.Status == CaseStatus.Suspended, "the reopened case's deadline");
        Assert.Equal(["events:changed", "resolution:changed", "events:changed", "timer deadline:changed"], _cases.Steps(caseId));
        Assert.Contains(_cases.History(caseId), h => h.What == "reopened by new events");
    }

    [Fact]
    public async Task A_long_case_continues_as_new_and_keeps_waiting_for_its_deadline()
    {
        var caseId = await OpenAsync(AbuseClass.Spam);
        await UntilAsync(caseId, s => s.Status == CaseStatus.Notified, "the first notice");

        for (var i = 0; i < CaseOrchestration.StepsPerEpisode + 5; i++)
        {
            await SignalAsync(caseId, new CaseSignal(CaseSignal.CustomerMessage, RequestId: $"m{i}", Text: $"message {i}"));
        }

        // The episode that continued as new carries the orchestrator's shape and the deadline still armed.
        CaseEpisode? episode = null;
        await Eventually.Async(async () =>
        {
            var instance = await Client.GetInstanceAsync(CaseOrchestration.InstanceFor(caseId), getInputsAndOutputs: true);
            episode = instance?.ReadInputAs<CaseEpisode>();
            return episode is { Timers.Count: > 0 };
        }, TimeSpan.FromSeconds(30), "the second episode", TimeSpan.FromMilliseconds(50));
        Assert.Equal(CaseOrchestration.Shape, episode!.Shape);
        Assert.Contains(episode.Timers, t => t.Kind == TimerKind.Deadline);

        await UntilAsync(caseId, s => s.Status == CaseStatus.Suspended, "the deadline after many steps");
        var steps = _cases.Steps(caseId);
        Assert.Equal(CaseOrchestration.StepsPerEpisode + 5, steps.Count(s => s.StartsWith("message", StringComparison.Ordinal)));
        Assert.Equal("timer deadline:changed", steps[^1]);
    }

    [Fact]
    public async Task One_digest_step_tells_every_case_it_covered()
    {
        var caseA = await OpenAsync(AbuseClass.Spam, customerId: "cust-digest");
        var caseB = await OpenAsync(AbuseClass.Fraud, customerId: "cust-digest");
        await UntilAsync(caseA, s => s.Status == CaseStatus.Notified, "case A's notice");
        await UntilAsync(caseB, s => s.Status == CaseStatus.Notified, "case B's notice");
        _cases.AddEvents(caseA, 3);
        _cases.AddEvents(caseB, 2);

        await Client.ScheduleNewOrchestrationInstanceAsync(CustomerDigestOrchestration.Name, new DigestEpisode("cust-digest", null, true),
            new StartOrchestrationOptions(CustomerDigestOrchestration.InstanceFor("cust-digest")));

        await UntilAsync(caseA, s => s.EventsAtLastNotice == 4, "case A told of its 4 events");
        await UntilAsync(caseB, s => s.EventsAtLastNotice == 3, "case B told of its 3 events");
        Assert.Equal(1, _cases.DigestsSent("cust-digest"));
        Assert.Contains("digest-sent:changed", _cases.Steps(caseA));
    }

    private async Task<string> OpenAsync(AbuseClass abuseClass, SafetyFacts? facts = null, string customerId = "cust-1", DateTimeOffset? customerSince = null)
    {
        var caseId = Guid.NewGuid().ToString("N")[..12];
        _cases.Open(caseId, customerId, abuseClass, facts ?? SafetyFacts.None, customerSince);
        await Client.ScheduleNewOrchestrationInstanceAsync(CaseOrchestration.Name, new CaseEpisode(caseId, [], 0, [CaseSignal.NewEvents(1)]),
            new StartOrchestrationOptions(CaseOrchestration.InstanceFor(caseId)));
        return caseId;
    }

    private Task SignalAsync(string caseId, CaseSignal signal) =>
        Client.RaiseEventAsync(CaseOrchestration.InstanceFor(caseId), CaseOrchestration.SignalEvent, signal);

    private async Task UntilAsync(string caseId, Func<CaseState, bool> condition, string what)
    {
        await Eventually.Async(async () =>
        {
            var instance = await Client.GetInstanceAsync(CaseOrchestration.InstanceFor(caseId));
            Assert.NotEqual(OrchestrationRuntimeStatus.Failed, instance?.RuntimeStatus);
            return condition(_cases.State(caseId));
        }, TimeSpan.FromSeconds(30), what, TimeSpan.FromMilliseconds(50));
    }
}

/// <summary>A poison step (it always throws) fails its own case visibly; the engine goes on with the others.</summary>
public sealed class PoisonCaseStepTests : IAsyncLifetime
{
    private readonly FakeCaseSteps _cases = new(PlaybookYaml.Parse("""
        playbooks:
          default: { notify: true, deadline: PT72H, reminder: PT36H, onDeadline: escalate }
        digestWindow: PT24H
        """));

    private DurableTaskTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await InProcessEngine.StartAsync(registry =>
        {
            registry.AddOrchestratorFunc<CaseEpisode>(CaseOrchestration.Name, (context, episode) => CaseOrchestration.RunAsync(context, episode));
            registry.AddActivityFunc<CaseStepRequest, CaseStep>(CaseOrchestrationTests.Named(ApplyCaseStep.Name), (_, request) =>
                request.CaseId == "poison" ? throw new InvalidOperationException("this step always fails") : _cases.Apply(request));
        });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_step_that_always_throws_fails_its_case_and_no_other()
    {
        _cases.Open("healthy", "cust-1", AbuseClass.Other, SafetyFacts.None);
        foreach (var caseId in new[] { "poison", "healthy" })
        {
            await _host.Client.ScheduleNewOrchestrationInstanceAsync(CaseOrchestration.Name, new CaseEpisode(caseId, [], 0, [CaseSignal.NewEvents(1)]),
                new StartOrchestrationOptions(CaseOrchestration.InstanceFor(caseId)));
        }

        await Eventually.Async(() => Task.FromResult(_cases.State("healthy").Status == CaseStatus.Notified), TimeSpan.FromSeconds(30), "the healthy case's notice");
        // Five tries, 1 + 2 + 4 + 8 s apart: then the case's orchestration fails, with the step's error.
        var failed = await _host.Client.WaitForInstanceCompletionAsync(CaseOrchestration.InstanceFor("poison"), getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, failed.RuntimeStatus);
        var failure = failed.FailureDetails;
        Assert.NotNull(failure);
        Assert.Contains("this step always fails", $"{failure.ErrorMessage} {failure.InnerFailure?.ErrorMessage}", StringComparison.Ordinal);
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await _host.Client.GetInstanceAsync(CaseOrchestration.InstanceFor("healthy")))!.RuntimeStatus);
    }
}

/// <summary>
/// Case steps over cases held in memory, deciding with the real state machine and keeping timers as the app's step
/// does (<see cref="ArmedTimers.After"/>): a fake of the storage layer, so the orchestration can be tested alone.
/// </summary>
internal sealed class FakeCaseSteps(PlaybookSet playbooks)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Held> _cases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _digests = new(StringComparer.Ordinal);

    private sealed class Held
    {
        public required CaseState State;
        public required SafetyFacts Facts;
        public IReadOnlyList<ArmedTimer> Timers = [];
        public readonly List<string> Steps = [];
        public readonly List<HistoryEntry> History = [];
    }

    public void Open(string caseId, string customerId, AbuseClass abuseClass, SafetyFacts facts, DateTimeOffset? customerSince = null)
    {
        lock (_gate)
        {
            _cases[caseId] = new Held
            {
                State = new CaseState
                {
                    CaseId = caseId,
                    CustomerId = customerId,
                    ResourceId = "vm-" + caseId,
                    AbuseClass = abuseClass,
                    ContactEmail = "noc@customer.test",
                    CustomerSince = DateOnly.FromDateTime((customerSince ?? DateTimeOffset.UtcNow).UtcDateTime),
                    OpenedAt = DateTimeOffset.UtcNow,
                    EventCount = 1,
                },
                Facts = facts,
            };
        }
    }

    public void AddEvents(string caseId, int count)
    {
        lock (_gate)
        {
            var held = _cases[caseId];
            held.State = held.State with { EventCount = held.State.EventCount + count };
        }
    }

    public CaseState State(string caseId)
    {
        lock (_gate)
        {
            return _cases[caseId].State;
        }
    }

    public IReadOnlyList<ArmedTimer> Timers(string caseId)
    {
        lock (_gate)
        {
            return _cases[caseId].Timers;
        }
    }

    public List<string> Steps(string caseId)
    {
        lock (_gate)
        {
            return [.. _cases[caseId].Steps];
        }
    }

    public List<HistoryEntry> History(string caseId)
    {
        lock (_gate)
        {
            return [.. _cases[caseId].History];
        }
    }

    public int DigestsSent(string customerId) => _digests.GetValueOrDefault(customerId);

    public CaseStep Apply(CaseStepRequest request)
    {
        lock (_gate)
        {
            if (!_cases.TryGetValue(request.CaseId, out var held))
            {
                return new CaseStep(CaseStep.Missing, 0, 0, true, []);
            }

            var signal = request.Signal;
            var name = signal.Kind switch
            {
                CaseSignal.TimerDue => $"timer {signal.Timer!.Kind.ToString().ToLowerInvariant()}",
                CaseSignal.Ops => $"ops {signal.Action}",
                _ => signal.Kind,
            };
            var outcome = Decide(held, signal);
            held.Steps.Add($"{name}:{outcome}");
            return new CaseStep(outcome, held.State.Version, held.State.EventCount, !held.State.Status.IsOpen(), held.Timers);
        }
    }

    private string Decide(Held held, CaseSignal signal)
    {
        var input = signal.ToInput(held.State);
        if (input is null)
        {
            return CaseStep.Unchanged;
        }

        var fired = signal.Timer;
        if (fired is not null && !held.Timers.Contains(fired))
        {
            return CaseStep.Unchanged;
        }

        var now = DateTimeOffset.UtcNow;
        if (fired is not null && fired.DueAt > now)
        {
            // The app's step waits out a timer that fires a little early; so does this one.
            Thread.Sleep(fired.DueAt - now);
            now = DateTimeOffset.UtcNow;
        }

        if (input is TimerDue { Kind: TimerKind.Deadline } deadline)
        {
            input = deadline with { Facts = held.Facts };
        }

        var decision = CaseStateMachine.Decide(held.State, input, playbooks, now);
        if (decision is Transition transition)
        {
            held.Timers = ArmedTimers.After(held.Timers, fired, transition);
            held.State = transition.State;
            held.History.AddRange(transition.History);
            return CaseStep.Changed;
        }

        if (fired is not null)
        {
            held.Timers = [.. held.Timers.Where(t => t != fired)];
        }

        return decision is Refused ? CaseStep.Refused : CaseStep.Unchanged;
    }

    /// <summary>The digest step: every open, notified case of the customer with news, told at its count.</summary>
    public DigestSent Digest(string customerId)
    {
        lock (_gate)
        {
            var covered = _cases.Values
                .Where(h => h.State.CustomerId == customerId && h.State.Status.IsOpen() && h.State.EventCount > h.State.EventsAtLastNotice)
                .Select(h => new DigestCovered(h.State.CaseId, h.State.EventCount))
                .ToList();
            _digests.AddOrUpdate(customerId, 1, (_, n) => n + 1);
            return new DigestSent(DateTimeOffset.UtcNow, covered, null);
        }
    }
}
