using AbuseDesk.Functions.Telemetry;
using Microsoft.DurableTask.Client;

namespace AbuseDesk.Functions.Intake;

/// <summary>
/// Timer: reads the abuse mailbox (<see cref="ReadAbuseMailbox"/>). The schedule is the app setting
/// AbuseDeskMailboxSchedule (six-field NCRONTAB): every minute in Azure, seconds in the tests. Timer functions run
/// as a singleton, so two reads of one mailbox never overlap.
/// </summary>
public sealed class ReadAbuseMailboxFunction(ReadAbuseMailbox mailbox, ILogger<ReadAbuseMailboxFunction> logger)
{
    public const string Name = nameof(ReadAbuseMailbox);

    [Function(Name)]
    public Task RunAsync([TimerTrigger("%AbuseDeskMailboxSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken) =>
        DeskInvocation.RunAsync(Name, "", logger, () => mailbox.RunAsync(durable, cancellationToken));
}
