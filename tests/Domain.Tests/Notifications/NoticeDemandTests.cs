using AbuseDesk.Domain.Notifications;

namespace AbuseDesk.Domain.Tests.Notifications;

public class NoticeDemandTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Without_notices_the_rate_is_free() => Assert.Null(new NoticeDemand().WaitAt(Now));

    [Fact]
    public void Feedback_waits_until_the_latest_notice_demand_has_passed()
    {
        var demand = new NoticeDemand();
        demand.Expect(Now.AddSeconds(10));
        demand.Expect(Now.AddSeconds(4)); // an earlier one does not shorten it

        Assert.Equal(TimeSpan.FromSeconds(10), demand.WaitAt(Now));
        Assert.Equal(TimeSpan.FromSeconds(1), demand.WaitAt(Now.AddSeconds(9)));
        Assert.Null(demand.WaitAt(Now.AddSeconds(10)));
    }

    [Fact]
    public void Concurrent_senders_leave_the_latest_time()
    {
        var demand = new NoticeDemand();
        Parallel.For(0, 10_000, i => demand.Expect(Now.AddMilliseconds(i)));

        Assert.Equal(TimeSpan.FromMilliseconds(9_999), demand.WaitAt(Now));
    }
}
