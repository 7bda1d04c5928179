using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Notifications;

/// <summary>
/// The process-wide send rate: one token bucket (MaxPerMinute, Burst) that every concurrent SendEmail draws
/// from. A send waits for a token only as long as the tokens already promised to others leave room within
/// MaxWait; beyond that it is told when to come back, so the queue message can be put back with a delay instead
/// of holding a worker (and its lease) while the bucket refills.
/// </summary>
public sealed class MailRateLimiter : IDisposable
{
    private readonly TokenBucketRateLimiter _bucket;
    private readonly TimeSpan _period;
    private readonly TimeSpan _maxWait;

    private static readonly TimeSpan MinTick = TimeSpan.FromMilliseconds(50);

    public MailRateLimiter(IOptions<AbuseDeskOptions> options)
    {
        var email = options.Value.Email;
        if (email.MaxPerMinute < 1 || email.Burst < 1 || email.MaxWait < TimeSpan.Zero)
        {
            throw new InvalidOperationException("AbuseDesk:Email needs MaxPerMinute >= 1, Burst >= 1 and a MaxWait that is not negative");
        }

        _period = TimeSpan.FromMinutes(1) / email.MaxPerMinute;
        _maxWait = email.MaxWait;
        // The bucket refills on a timer, and a timer does not tick every 0.6 ms (100,000 a minute) even on an
        // idle machine; on a busy one it ticks far slower, and one token a tick then caps the rate well below the
        // setting. Fast rates therefore refill in steps of at least MinTick, with the bucket big enough to hold one.
        var perTick = Math.Max(1, (int)Math.Ceiling(MinTick / _period));
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(email.Burst, perTick),
            TokensPerPeriod = perTick,
            ReplenishmentPeriod = _period * perTick,
            // Waiters that a full bucket would serve within MaxWait; anyone later is rescheduled, not parked.
            QueueLimit = (int)Math.Min(int.MaxValue, _maxWait.Ticks / _period.Ticks),
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    /// <summary>Time between two tokens at the sustained rate.</summary>
    public TimeSpan Period => _period;

    /// <summary>Takes a token if one is there right now, without waiting or queueing behind waiters.</summary>
    public bool TryAcquireNow()
    {
        using var lease = _bucket.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    /// <summary>Takes a token, waiting at most about MaxWait; null when granted, else how long to stay away.</summary>
    public async Task<TimeSpan?> TryAcquireAsync(CancellationToken cancellationToken)
    {
        using var lease = await _bucket.AcquireAsync(1, cancellationToken);
        if (lease.IsAcquired)
        {
            return null;
        }

        // The waiters ahead of us take the next tokens; spread the returners over a second period so they do
        // not all surface in the same instant.
        var ahead = _bucket.GetStatistics()?.CurrentQueuedCount ?? 0;
        var spread = _period.Ticks * Random.Shared.NextDouble();
        return TimeSpan.FromTicks((_period.Ticks * (ahead + 1)) + (long)spread);
    }

    public void Dispose() => _bucket.Dispose();
}
