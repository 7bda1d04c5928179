namespace AbuseDesk.Functions.Hosting;

/// <summary>What a non-HTTP trigger hands a function: the payload and the host's metadata about it.</summary>
public sealed record TriggerInput(string Payload, long DequeueCount, IReadOnlyDictionary<string, string?> Metadata);

/// <summary>
/// A queue- or blob-triggered function. The same instance serves the Azure Functions host (through the
/// invocation endpoint) and the local trigger runner. Throwing means "failed": the message is retried and,
/// after maxDequeueCount tries, moved to the poison queue.
/// </summary>
public interface ITriggeredFunction
{
    /// <summary>The function's folder name, which holds its function.json.</summary>
    string Name { get; }

    Task RunAsync(TriggerInput input, CancellationToken cancellationToken);
}
