using AbuseDesk.Domain.Intake;

namespace AbuseDesk.Domain.Tests.Intake;

public class ReporterAllowanceTests
{
    private static readonly ReporterLimits Limits = new(ReportsPerMinute: 2, BytesPerDay: 1_000, EventsPerDay: 10);
    private static readonly DateTimeOffset Noon = new(2026, 12, 7, 12, 0, 15, TimeSpan.Zero);

    [Fact]
    public void The_minute_window_refuses_the_next_new_report_until_the_minute_turns()
    {
        var usage = ReporterUsage.None.WithReport(10, Noon).WithReport(10, Noon.AddSeconds(5));

        var refused = usage.Admit(Limits, 10, Noon.AddSeconds(10));

        Assert.NotNull(refused);
        Assert.Equal(ReporterUsage.ReportsPerMinuteLimit, refused.Limit);
        Assert.Equal(TimeSpan.FromSeconds(35), refused.RetryAfter);
        Assert.Null(usage.Admit(Limits, 10, Noon.AddSeconds(45)));
    }

    [Fact]
    public void Bytes_count_for_the_UTC_day_and_start_again_at_midnight()
    {
        var usage = ReporterUsage.None.WithReport(900, Noon);

        var refused = usage.Admit(Limits, 200, Noon.AddMinutes(5));

        Assert.Equal(ReporterUsage.BytesPerDayLimit, refused!.Limit);
        Assert.Equal(TimeSpan.FromHours(11) + TimeSpan.FromMinutes(54) + TimeSpan.FromSeconds(45), refused.RetryAfter);
        Assert.Contains("900 used today", refused.Detail, StringComparison.Ordinal);
        Assert.Null(usage.Admit(Limits, 100, Noon.AddMinutes(5)));
        Assert.Null(usage.Admit(Limits, 1_000, new DateTimeOffset(2026, 12, 8, 0, 0, 1, TimeSpan.Zero)));
    }

    [Fact]
    public void Events_are_taken_all_or_none_and_a_used_up_day_refuses_new_reports()
    {
        var (usage, refusal) = ReporterUsage.None.TakeEvents(Limits, 7, Noon);
        Assert.Null(refusal);
        Assert.Equal(7, usage!.DayEvents);

        var (over, tooMany) = usage.TakeEvents(Limits, 4, Noon);
        Assert.Null(over);
        Assert.Equal(ReporterUsage.EventsPerDayLimit, tooMany!.Limit);
        Assert.Contains("4 events would pass", tooMany.Detail, StringComparison.Ordinal);

        Assert.Null(usage.Admit(Limits, 10, Noon));
        var (full, _) = usage.TakeEvents(Limits, 3, Noon);
        Assert.Equal(ReporterUsage.EventsPerDayLimit, full!.Admit(Limits, 10, Noon)!.Limit);
        Assert.Null(full.Admit(Limits, 10, Noon.AddDays(1)));
    }

    [Fact]
    public void Retry_after_is_at_least_one_whole_second()
    {
        var usage = ReporterUsage.None.WithReport(1, Noon).WithReport(1, Noon);
        var lastMoment = new DateTimeOffset(2026, 12, 7, 12, 0, 59, TimeSpan.Zero).AddMilliseconds(999);

        Assert.Equal(TimeSpan.FromSeconds(1), usage.Admit(Limits, 1, lastMoment)!.RetryAfter);
    }

    [Fact]
    public void Times_in_other_offsets_use_the_UTC_day()
    {
        var usage = ReporterUsage.None.WithReport(900, new DateTimeOffset(2026, 12, 7, 23, 30, 0, TimeSpan.Zero));

        // 01:30 on the 8th at +02:00 is 23:30 on the 7th in UTC.
        Assert.NotNull(usage.Admit(Limits, 200, new DateTimeOffset(2026, 12, 8, 1, 30, 0, TimeSpan.FromHours(2))));
    }
}
