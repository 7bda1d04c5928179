using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Storage;
using AbuseDesk.Functions.Telemetry;
using Azure.Storage.Queues.Models;

namespace AbuseDesk.Functions.Notifications;

/// <summary>feedback-outbox → <see cref="SendEmail"/> in the feedback lane.</summary>
public sealed class SendFeedbackEmailFunction(SendEmail handler, ILogger<SendFeedbackEmailFunction> logger)
{
    public const string Name = "SendFeedbackEmail";

    [Function(Name)]
    public Task RunAsync([QueueTrigger(DeskStorage.FeedbackOutboxQueue)] QueueMessage message, CancellationToken cancellationToken) =>
        DeskInvocation.RunAsync(Name, message.Body.ToString(), logger, () => handler.RunAsync(TriggerInput.From(message), MailLane.Feedback, cancellationToken));
}
