using AbuseDesk.Domain.Cases;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Cases;

/// <summary>case-workflow: new events and due timers move the case through its playbook.</summary>
public sealed class RunCaseWorkflow(CaseTransitions transitions, SendCustomerDigest digests, TimerWheel timers, DeskStorage storage, TimeProvider clock, ILogger<RunCaseWorkflow> logger)
{
    public Task RunAsync(TriggerInput input, CancellationToken cancellationToken) =>
        HandleAsync(input.Payload, input.DequeueCount, cancellationToken);

    private async Task HandleAsync(string payload, long dequeueCount, CancellationToken cancellationToken)
    {
        var message = Json.Deserialize<CaseWorkflowMessage>(payload);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CaseId"] = message.CaseId });
        CaseInput caseInput;
        if (message.Kind is CaseWorkflowMessage.TimerKind or CaseWorkflowMessage.CustomerDigest or TimerWheel.BucketKind && message.DueAt is { } due)
        {
            var remaining = due - clock.GetUtcNow();
            if (remaining > TimeSpan.FromSeconds(1))
            {
                // Surfaced early: the queue's 7-day visibility limit, so arm it again for the rest.
                await storage.Queue(DeskStorage.CaseWorkflowQueue).SendMessageAsync(payload, visibilityTimeout: CaseTransitions.TimerDelay(remaining), cancellationToken: cancellationToken);
                return;
            }
        }

        if (message.Kind == TimerWheel.BucketKind)
        {
            await timers.FireAsync(message.CaseId, HandleAsync, dequeueCount, cancellationToken);
            return;
        }

        if (message.Kind == CaseWorkflowMessage.CustomerDigest)
        {
            await digests.RunAsync(message.CustomerId ?? throw new InvalidOperationException("customer-digest message without customerId"), cancellationToken, recovering: dequeueCount > 1);
            return;
        }

        if (message.Kind == CaseWorkflowMessage.TimerKind)
        {
            var kind = Enum.Parse<TimerKind>(message.Timer ?? "", ignoreCase: true);
            caseInput = new TimerDue(kind, message.Version ?? -1);
        }
        else if (message.Kind == CaseWorkflowMessage.EventsAdded && message.CaseIds is { Count: > 0 } caseIds)
        {
            await WakeAllAsync(caseIds, dequeueCount, cancellationToken);
            return;
        }
        else if (message.Kind == CaseWorkflowMessage.EventsAdded)
        {
            caseInput = new EventsAdded();
        }
        else
        {
            throw new InvalidOperationException($"unknown case-workflow message kind '{message.Kind}'");
        }

        var decision = await transitions.ApplyAsync(message.CaseId, caseInput, cancellationToken, recovering: dequeueCount > 1);
        if (decision is NoChange noChange)
        {
            logger.LogDebug("Case {CaseId}: {Why}", message.CaseId, noChange.Why);
        }
    }

    /// <summary>Wakes each case of a batch; if any fails the whole batch is retried, which the cases already woken absorb.</summary>
    private async Task WakeAllAsync(IReadOnlyList<string> caseIds, long dequeueCount, CancellationToken cancellationToken)
    {
        var failed = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        await Parallel.ForEachAsync(caseIds, Parallelism.For(cancellationToken), async (caseId, ct) =>
        {
            try
            {
                await transitions.ApplyAsync(caseId, new EventsAdded(), ct, recovering: dequeueCount > 1);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed.Add(ex);
            }
        });

        if (!failed.IsEmpty)
        {
            throw new AggregateException($"{failed.Count} of {caseIds.Count} case(s) could not be woken", failed);
        }
    }
}
