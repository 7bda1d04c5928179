using AbuseDesk.Domain.Cases;
using AbuseDesk.Functions.Storage;
using Microsoft.DurableTask.Client;

namespace AbuseDesk.Functions.Cases;

/// <summary>What became of a portal or ops input: decided (changed, unchanged or refused) or still on its way.</summary>
public sealed record CaseAnswer(string Outcome, string Status, int Version, string? Reason, IReadOnlyList<string> Allowed)
{
    public const string Pending = "pending";

    public bool IsPending => Outcome == Pending;
}

/// <summary>
/// How inputs reach case orchestrations. <see cref="SignalAsync"/> starts the case's orchestration with the signal,
/// or raises it to the one already running; it is for the one caller that opened the case (two starts of one
/// instance at the same moment corrupt it), everyone else raises.
/// <see cref="SubmitAsync"/> is the portal's and ops' way in: a refusal is decided here, on the case as stored, so it
/// answers at once with what is allowed; an accepted input is raised and its answer waited for.
/// </summary>
public sealed class CaseInbox(DeskStorage storage, PlaybookSet playbooks, TimeProvider clock)
{
    /// <summary>How long a request waits for its case's step before answering "accepted, pending".</summary>
    public static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    public static async Task SignalAsync(DurableTaskClient durable, string caseId, CaseSignal signal, CancellationToken cancellationToken)
    {
        var instanceId = CaseOrchestration.InstanceFor(caseId);
        if (!await EngineStarts.TryStartAsync(durable, CaseOrchestration.Name, instanceId, new CaseEpisode(caseId, [], 0, [signal]), cancellationToken))
        {
            await durable.RaiseEventAsync(instanceId, CaseOrchestration.SignalEvent, signal, cancellationToken);
        }
    }

    /// <summary>Starts a case's orchestration again from the case as recorded (ops, after a failure): its history is kept, its run replaced.</summary>
    public static Task RestartAsync(DurableTaskClient durable, string caseId, CancellationToken cancellationToken) =>
        EngineStarts.RestartAsync(durable, CaseOrchestration.Name, CaseOrchestration.InstanceFor(caseId), new CaseEpisode(caseId, [], 0, [new CaseSignal(CaseSignal.Refresh)]), cancellationToken);

    /// <summary>
    /// Raises a portal, ops or mailbox input under the caller's request id (a second raise of one request changes
    /// nothing: the step finds it answered); a refusal is decided here, on the case as stored, and nothing is raised.
    /// </summary>
    /// <returns>The refusal, or null once raised.</returns>
    public async Task<Refused?> RaiseAsync(DurableTaskClient durable, CaseEntity row, CaseInput input, string requestId, CancellationToken cancellationToken)
    {
        if (CaseStateMachine.Decide(row.ToState(), input, playbooks, clock.GetUtcNow()) is Refused refused)
        {
            return refused;
        }

        var signal = CaseSignal.From(input, requestId) ?? throw new ArgumentException($"{input.GetType().Name} is not a portal, ops or mailbox input", nameof(input));
        // The case's orchestration runs from its first attach until it is terminated (which refuses every input).
        await durable.RaiseEventAsync(CaseOrchestration.InstanceFor(row.PartitionKey), CaseOrchestration.SignalEvent, signal, cancellationToken);
        return null;
    }

    /// <summary>Whether the case answered the request (took it, or refused it) within <paramref name="wait"/>.</summary>
    public async Task<bool> AnsweredAsync(string caseId, string requestId, TimeSpan wait, CancellationToken cancellationToken) =>
        await WaitForAnswerAsync(caseId, requestId, wait, cancellationToken) is not null;

    /// <returns>null when there is no such case.</returns>
    public async Task<CaseAnswer?> SubmitAsync(DurableTaskClient durable, string caseId, CaseInput input, CancellationToken cancellationToken)
    {
        var row = await CaseEntity.LoadAsync(storage.Cases, caseId, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var requestId = Guid.NewGuid().ToString("N");
        if (await RaiseAsync(durable, row, input, requestId, cancellationToken) is { } refused)
        {
            return new CaseAnswer(CaseStep.Refused, row.Status, row.Version, refused.Reason, refused.Allowed);
        }

        return await WaitForAnswerAsync(caseId, requestId, AnswerWait, cancellationToken) is { } a
            ? new CaseAnswer(a.Outcome, a.Status, a.Version, a.Reason, a.Allowed?.Split('\n', StringSplitOptions.RemoveEmptyEntries) ?? [])
            : new CaseAnswer(CaseAnswer.Pending, row.Status, row.Version, null, []);
    }

    private async Task<CaseAnswerEntity?> WaitForAnswerAsync(string caseId, string requestId, TimeSpan wait, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < wait)
        {
            await Task.Delay(Poll, cancellationToken);
            if (await CaseAnswerEntity.FindAsync(storage.Cases, caseId, requestId, cancellationToken) is { } answer)
            {
                return answer;
            }
        }

        return null;
    }
}
