using AbuseDesk.Domain.Cases;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Cases;

/// <summary>case-workflow: new events and due timers move the case through its playbook.</summary>
public sealed class RunCaseWorkflow(CaseTransitions transitions, SendCustomerDigest digests, DeskStorage storage, TimeProvider clock, ILogger<RunCaseWorkflow> logger) : ITriggeredFunction
{
    public string Name => "CaseWorkflow";

    public async Task RunAsync(TriggerInput input, CancellationToken cancellationToken)
    {
        var message = Json.Deserialize<CaseWorkflowMessage>(input.Payload);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CaseId"] = message.CaseId });
        CaseInput caseInput;
        if (message.Kind is CaseWorkflowMessage.TimerKind or CaseWorkflowMessage.CustomerDigest && message.DueAt is { } due)
        {
            var remaining = due - clock.GetUtcNow();
            if (remaining > TimeSpan.FromSeconds(1))
            {
                // Surfaced early: the queue's 7-day visibility limit, so arm it again for the rest.
                await storage.Queue(DeskStorage.CaseWorkflowQueue).SendMessageAsync(input.Payload, visibilityTimeout: CaseTransitions.TimerDelay(remaining), cancellationToken: cancellationToken);
                return;
            }
        }

        if (message.Kind == CaseWorkflowMessage.CustomerDigest)
        {
            await digests.RunAsync(message.CustomerId ?? throw new InvalidOperationException("customer-digest message without customerId"), cancellationToken, recovering: input.DequeueCount > 1);
            return;
        }

        if (message.Kind == CaseWorkflowMessage.TimerKind)
        {
            var kind = Enum.Parse<TimerKind>(message.Timer ?? "", ignoreCase: true);
            caseInput = new TimerDue(kind, message.Version ?? -1);
        }
        else if (message.Kind == CaseWorkflowMessage.EventsAdded)
        {
            caseInput = new EventsAdded();
        }
        else
        {
            throw new InvalidOperationException($"unknown case-workflow message kind '{message.Kind}'");
        }

        var decision = await transitions.ApplyAsync(message.CaseId, caseInput, cancellationToken, recovering: input.DequeueCount > 1);
        if (decision is NoChange noChange)
        {
            logger.LogDebug("Case {CaseId}: {Why}", message.CaseId, noChange.Why);
        }
    }
}
