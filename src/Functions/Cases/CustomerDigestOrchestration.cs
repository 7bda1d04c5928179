using AbuseDesk.Functions.Telemetry;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace AbuseDesk.Functions.Cases;

/// <summary>A run of a customer's digest orchestration: when the next digest is due, and whether one was asked for.</summary>
public sealed record DigestEpisode(string CustomerId, DateTimeOffset? DueAt, bool Requested);

public sealed record DigestStepRequest(string CustomerId, string StepId);

/// <summary>
/// One digest per customer per window (instance "digest-{customerId}"): cases with news ask for it; it waits until
/// the window allows, sends one mail listing every case with news (<see cref="SendCustomerDigest"/>), tells each
/// case what the customer was told, and waits for the next request; it never completes. Many cases of one customer
/// ask at once, and two starts of one instance at the same moment corrupt it: a claim row decides who starts it.
/// </summary>
public static class CustomerDigestOrchestration
{
    public const string Name = nameof(CustomerDigestOrchestration);

    public const string RequestEvent = "digest-requested";

    private const int StepsPerEpisode = 20;

    public static string InstanceFor(string customerId) => "digest-" + customerId;

    public static string? CustomerOf(string instanceId) => instanceId.StartsWith("digest-", StringComparison.Ordinal) ? instanceId[7..] : null;

    [Function(Name)]
    public static async Task RunAsync([OrchestrationTrigger] TaskOrchestrationContext context, DigestEpisode episode)
    {
        var due = episode.DueAt;
        var requested = episode.Requested;
        for (var step = 0; step < StepsPerEpisode; step++)
        {
            if (!requested && due is { } at)
            {
                // Requests arriving meanwhile wait in the buffer: this digest will carry their news.
                await context.CreateTimer(at.UtcDateTime, CancellationToken.None);
            }
            else if (!requested)
            {
                await context.WaitForExternalEvent<bool>(RequestEvent);
            }

            requested = false;
            var sent = await context.CallActivityAsync<DigestSent>(SendCustomerDigestStep.Name, new DigestStepRequest(episode.CustomerId, context.NewGuid().ToString("N")), EngineStarts.StepRetries);
            foreach (var covered in sent.Covered)
            {
                context.SendEvent(CaseOrchestration.InstanceFor(covered.CaseId), CaseOrchestration.SignalEvent, CaseSignal.Digest(sent.At, covered.EventCount));
            }

            due = sent.NextDueAt;
        }

        var asked = CaseOrchestration.Buffered<bool>(context, RequestEvent).Count > 0;
        context.ContinueAsNew(new DigestEpisode(episode.CustomerId, due, asked), preserveUnprocessedEvents: false);
    }

    /// <summary>Starts the customer's digest orchestration again (ops): its next step looks at the customer's cases afresh.</summary>
    public static Task RestartAsync(DurableTaskClient durable, string customerId, CancellationToken cancellationToken) =>
        EngineStarts.RestartAsync(durable, Name, InstanceFor(customerId), new DigestEpisode(customerId, null, true), cancellationToken);

    /// <summary>
    /// Asks for the customer's next digest: the first asker (the one whose claim row is added) starts their digest
    /// orchestration, everyone later tells the running one. A claim whose start a crash cut off is taken over after
    /// a minute, if the orchestration still does not exist.
    /// </summary>
    public static async Task RequestAsync(Azure.Data.Tables.TableClient cases, DurableTaskClient durable, string customerId, CancellationToken cancellationToken)
    {
        var instanceId = InstanceFor(customerId);
        var claim = new Azure.Data.Tables.TableEntity(SendCustomerDigest.PartitionFor(customerId), "started");
        var claimed = false;
        try
        {
            await cases.AddEntityAsync(claim, cancellationToken);
            claimed = true;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = (await cases.GetEntityAsync<Azure.Data.Tables.TableEntity>(claim.PartitionKey, claim.RowKey, cancellationToken: cancellationToken)).Value;
            claimed = existing.Timestamp < DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1) && await durable.GetInstanceAsync(instanceId, cancellationToken) is null;
        }

        if (claimed && await EngineStarts.TryStartAsync(durable, Name, instanceId, new DigestEpisode(customerId, null, true), cancellationToken))
        {
            return;
        }

        await durable.RaiseEventAsync(instanceId, RequestEvent, true, cancellationToken);
    }
}

/// <summary>Activity: one digest step (<see cref="SendCustomerDigest"/>).</summary>
public sealed class SendCustomerDigestStep(SendCustomerDigest handler, ILogger<SendCustomerDigestStep> logger)
{
    public const string Name = nameof(SendCustomerDigestStep);

    [Function(Name)]
    public Task<DigestSent> RunAsync([ActivityTrigger] DigestStepRequest request, CancellationToken cancellationToken) =>
        DeskInvocation.RunAsync(Name, Storage.Json.Serialize(request), logger, () => handler.RunAsync(request.CustomerId, request.StepId, cancellationToken));
}

/// <summary>Activity: one case step (<see cref="CaseTransitions"/>).</summary>
public sealed class ApplyCaseStep(CaseTransitions transitions, ILogger<ApplyCaseStep> logger)
{
    public const string Name = nameof(ApplyCaseStep);

    [Function(Name)]
    public Task<CaseStep> RunAsync([ActivityTrigger] CaseStepRequest request, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken) =>
        DeskInvocation.RunAsync(Name, Storage.Json.Serialize(request), logger, () => transitions.StepAsync(request, durable, cancellationToken));
}
