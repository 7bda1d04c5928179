namespace AbuseDesk.Functions.Hosting;

/// <summary>
/// What a queue, blob or timer function hands its handler: the payload and how often it was tried. Handlers
/// throw to say "failed": the host makes the message visible again and, after maxDequeueCount tries, moves it
/// to "{queue}-poison".
/// </summary>
public sealed record TriggerInput(string Payload, long DequeueCount = 1)
{
    public static TriggerInput From(Azure.Storage.Queues.Models.QueueMessage message) =>
        new(message.Body.ToString(), message.DequeueCount);
}
