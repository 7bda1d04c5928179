namespace AbuseDesk.Domain.Notifications;

/// <summary>
/// How long customer notices and ops messages still need the mail rate. Every notice that takes a token says it may
/// have followers for one more token period; every notice put back for lack of a token says when it comes back for
/// one. Reporter feedback sends only once that time has passed, so it uses what the notices leave and never takes a
/// token a returning notice was counting on. Thread-safe: senders note demand concurrently.
/// </summary>
public sealed class NoticeDemand
{
    private long _untilTicks;

    /// <summary>Notices need the rate until at least <paramref name="until"/>.</summary>
    public void Expect(DateTimeOffset until)
    {
        var ticks = until.UtcTicks;
        var seen = Interlocked.Read(ref _untilTicks);
        while (ticks > seen)
        {
            var was = Interlocked.CompareExchange(ref _untilTicks, ticks, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }

    /// <summary>How long lower lanes must still wait at <paramref name="now"/>; null when the notices leave the rate free.</summary>
    public TimeSpan? WaitAt(DateTimeOffset now)
    {
        var until = Interlocked.Read(ref _untilTicks);
        return until > now.UtcTicks ? TimeSpan.FromTicks(until - now.UtcTicks) : null;
    }
}
