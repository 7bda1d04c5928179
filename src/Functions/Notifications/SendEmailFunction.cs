using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Storage;
using AbuseDesk.Functions.Telemetry;
using Azure.Storage.Queues.Models;

namespace AbuseDesk.Functions.Notifications;

/// <summary>email-outbox → <see cref="SendEmail"/>.</summary>
public sealed class SendEmailFunction(SendEmail handler, ILogger<SendEmailFunction> logger)
{
    [Function(nameof(SendEmail))]
    public Task RunAsync([QueueTrigger(DeskStorage.EmailOutboxQueue)] QueueMessage message, CancellationToken cancellationToken) =>
        DeskInvocation.RunAsync(nameof(SendEmail), message.Body.ToString(), logger, () => handler.RunAsync(TriggerInput.From(message), cancellationToken));
}
