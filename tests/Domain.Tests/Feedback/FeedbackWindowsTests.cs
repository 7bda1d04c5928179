using AbuseDesk.Domain.Feedback;

namespace AbuseDesk.Domain.Tests.Feedback;

public class FeedbackWindowsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    [Fact]
    public void The_first_item_opens_batch_one_due_a_window_later() =>
        Assert.Equal(new FeedbackJoin(1, Now + Window, Opens: true), FeedbackWindows.Join(null, Now, Window, 40));

    [Fact]
    public void Items_within_the_window_join_the_open_batch_and_keep_its_due_time()
    {
        var state = new FeedbackBatchState(Open: 3, Mailed: 2, Count: 5, DueAt: Now.AddMinutes(4));
        Assert.Equal(new FeedbackJoin(3, Now.AddMinutes(4), Opens: false), FeedbackWindows.Join(state, Now, Window, 40));
    }

    [Fact]
    public void After_a_batch_was_mailed_the_next_item_opens_a_new_one()
    {
        var state = new FeedbackBatchState(Open: 3, Mailed: 3, Count: 5, DueAt: Now.AddMinutes(-1));
        Assert.Equal(new FeedbackJoin(4, Now + Window, Opens: true), FeedbackWindows.Join(state, Now, Window, 40));
    }

    [Fact]
    public void An_item_that_finds_its_batch_due_but_not_yet_mailed_still_joins_it()
    {
        // The mail is composed under the batch row's ETag, so a late join makes the composer read again.
        var state = new FeedbackBatchState(Open: 2, Mailed: 1, Count: 5, DueAt: Now.AddSeconds(-3));
        Assert.Equal(new FeedbackJoin(2, Now.AddSeconds(-3), Opens: false), FeedbackWindows.Join(state, Now, Window, 40));
    }

    [Fact]
    public void A_full_batch_opens_the_next_due_at_the_same_time_so_a_burst_waits_no_longer()
    {
        var state = new FeedbackBatchState(Open: 2, Mailed: 1, Count: 40, DueAt: Now.AddMinutes(7));
        Assert.Equal(new FeedbackJoin(3, Now.AddMinutes(7), Opens: true), FeedbackWindows.Join(state, Now, Window, 40));
    }

    [Fact]
    public void No_window_or_no_room_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FeedbackWindows.Join(null, Now, TimeSpan.Zero, 40));
        Assert.Throws<ArgumentOutOfRangeException>(() => FeedbackWindows.Join(null, Now, Window, 0));
    }
}
