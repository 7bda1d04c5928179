namespace AbuseDesk.Domain.Feedback;

/// <summary>
/// Where a reporter's gathering stands: the batch open for new feedback (<see cref="Open"/>, 0 before the first),
/// the highest batch already mailed or dropped (<see cref="Mailed"/>), how many items the open batch holds and when
/// it is due. Batches are numbered per reporter from 1.
/// </summary>
public sealed record FeedbackBatchState(int Open, int Mailed, int Count, DateTimeOffset DueAt);

/// <summary>Which batch a new feedback item joins, when that batch is due, and whether the item opens it.</summary>
public readonly record struct FeedbackJoin(int Batch, DateTimeOffset DueAt, bool Opens);

/// <summary>
/// Gathering reporter feedback into one mail per reporter per window: the first item after a quiet spell opens a
/// batch due one window later; items until then join it. A batch that is full opens the next one, due at the same
/// time, so a burst never waits longer than the window; a batch that was mailed is closed for good, so an item can
/// never join a mail that already left.
/// </summary>
public static class FeedbackWindows
{
    public static FeedbackJoin Join(FeedbackBatchState? state, DateTimeOffset now, TimeSpan window, int maxPerMail)
    {
        if (window <= TimeSpan.Zero || maxPerMail < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(window), "a window above zero and at least one item per mail");
        }

        if (state is null || state.Open < 1)
        {
            return new FeedbackJoin(1, now + window, Opens: true);
        }

        var open = state.Open > state.Mailed;
        if (open && state.Count < maxPerMail)
        {
            return new FeedbackJoin(state.Open, state.DueAt, Opens: false);
        }

        // Full, or already mailed: the next batch. A full one's successor keeps its due time while that is ahead.
        var due = open && state.DueAt > now ? state.DueAt : now + window;
        return new FeedbackJoin(state.Open + 1, due, Opens: true);
    }
}
