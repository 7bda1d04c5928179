using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Telemetry;

namespace AbuseDesk.Functions.Cases;

/// <summary>Every five minutes → <see cref="SweepOutbox"/>.</summary>
public sealed class SweepOutboxFunction(SweepOutbox handler, ILogger<SweepOutboxFunction> logger)
{
    [Function(nameof(SweepOutbox))]
    public Task RunAsync([TimerTrigger("0 */5 * * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        DeskInvocation.RunAsync(nameof(SweepOutbox), "{}", logger, () => handler.RunAsync(new TriggerInput("{}"), cancellationToken));
}
