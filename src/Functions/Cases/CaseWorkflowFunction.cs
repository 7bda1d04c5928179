using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Storage;
using AbuseDesk.Functions.Telemetry;
using Azure.Storage.Queues.Models;

namespace AbuseDesk.Functions.Cases;

/// <summary>case-workflow → <see cref="RunCaseWorkflow"/>.</summary>
public sealed class CaseWorkflowFunction(RunCaseWorkflow handler, ILogger<CaseWorkflowFunction> logger)
{
    public const string Name = "CaseWorkflow";

    [Function(Name)]
    public Task RunAsync([QueueTrigger(DeskStorage.CaseWorkflowQueue)] QueueMessage message, CancellationToken cancellationToken) =>
        DeskInvocation.RunAsync(Name, message.Body.ToString(), logger, () => handler.RunAsync(TriggerInput.From(message), cancellationToken));
}
