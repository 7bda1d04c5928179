namespace AbuseDesk.Functions.Storage;

/// <summary>How long a queue message may be hidden: at most 7 days, so longer waits are re-armed when they surface.</summary>
public static class QueueDelay
{
    public static readonly TimeSpan Max = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);

    public static TimeSpan For(TimeSpan remaining) =>
        remaining <= TimeSpan.Zero ? TimeSpan.Zero : remaining < Max ? remaining : Max;
}
