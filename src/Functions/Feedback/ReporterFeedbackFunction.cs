using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Storage;
using AbuseDesk.Functions.Telemetry;
using Azure.Storage.Queues.Models;

namespace AbuseDesk.Functions.Feedback;

/// <summary>reporter-feedback → <see cref="RunReporterFeedback"/>.</summary>
public sealed class ReporterFeedbackFunction(RunReporterFeedback handler, ILogger<ReporterFeedbackFunction> logger)
{
    public const string Name = "ReporterFeedback";

    [Function(Name)]
    public Task RunAsync([QueueTrigger(DeskStorage.ReporterFeedbackQueue)] QueueMessage message, CancellationToken cancellationToken) =>
        DeskInvocation.RunAsync(Name, message.Body.ToString(), logger, () => handler.RunAsync(TriggerInput.From(message), cancellationToken));
}
