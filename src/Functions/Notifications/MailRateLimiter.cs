using System.Threading.RateLimiting;
using AbuseDesk.Domain.Notifications;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Notifications;

/// <summary>
/// The process-wide send rate: one token bucket (MaxPerMinute, Burst) that every concurrent SendEmail draws
/// from. A send waits for a token only as long as the tokens already promised to others leave room within
/// MaxWait; beyond that it is told when to come back, so the queue message can be put back with a delay instead
/// of holding a worker (and its lease) while the bucket refills.
/// Two lanes draw from it: customer notices and ops messages (<see cref="TryAcquireAsync"/>, <see cref="TryAcquireNow"/>)
/// first; reporter feedback (<see cref="TryAcquireSpare"/>) only takes a token nobody in that lane is waiting or
/// coming back for (<see cref="NoticeDemand"/>), and is otherwise told when to look again: deferred, never dropped.
/// </summary>
public sealed class MailRateLimiter : IDisposable
{
    private readonly TokenBucketRateLimiter _bucket;
    private readonly TimeSpan _period;
    private readonly TimeSpan _maxWait;
    private readonly TimeProvider _clock;
    private readonly NoticeDemand _demand = new();

    private static readonly TimeSpan MinTick = TimeSpan.FromMilliseconds(50);

    /// <summary>Feedback that finds the rate taken looks again after at least this long, so a busy lane is not polled hot.</summary>
    private static readonly TimeSpan MinSpareRetry = TimeSpan.FromSeconds(1);

    public MailRateLimiter(IOptions<AbuseDeskOptions> options, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
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
        // A notice asked: whether or not it got a token now, it (or its queue copy) wants one within a period.
        _demand.Expect(_clock.GetUtcNow() + _period);
        using var lease = _bucket.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    /// <summary>Takes a token, waiting at most about MaxWait; null when granted, else how long to stay away.</summary>
    public async Task<TimeSpan?> TryAcquireAsync(CancellationToken cancellationToken)
    {
        _demand.Expect(_clock.GetUtcNow() + _period);
        using var lease = await _bucket.AcquireAsync(1, cancellationToken);
        if (lease.IsAcquired)
        {
            // Notices come in bursts: the next one of this burst may be a token period behind.
            _demand.Expect(_clock.GetUtcNow() + _period);
            return null;
        }

        // The waiters ahead of us take the next tokens; spread the returners over a second period so they do
        // not all surface in the same instant.
        var ahead = _bucket.GetStatistics()?.CurrentQueuedCount ?? 0;
        var spread = _period.Ticks * Random.Shared.NextDouble();
        var later = TimeSpan.FromTicks((_period.Ticks * (ahead + 1)) + (long)spread);
        // The bucket refills while this notice is away: those tokens are its, not feedback's.
        _demand.Expect(_clock.GetUtcNow() + later + _period);
        return later;
    }

    /// <summary>
    /// The feedback lane: a token now if no notice is waiting for one or due back for one; null when granted, else
    /// how long to stay away. Never queues behind the notices' waiters.
    /// </summary>
    public TimeSpan? TryAcquireSpare()
    {
        var wait = _demand.WaitAt(_clock.GetUtcNow());
        if (wait is null && (_bucket.GetStatistics()?.CurrentQueuedCount ?? 0) == 0)
        {
            using var lease = _bucket.AttemptAcquire(1);
            if (lease.IsAcquired)
            {
                return null;
            }
        }

        var spread = TimeSpan.FromTicks((long)(_period.Ticks * Random.Shared.NextDouble()));
        return (wait ?? TimeSpan.Zero) + (_period > MinSpareRetry ? _period : MinSpareRetry) + spread;
    }

    public void Dispose() => _bucket.Dispose();
}
