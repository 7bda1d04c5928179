namespace AbuseDesk.Domain.Intake;

/// <summary>
/// What one reporter may send: new reports per minute, bytes and events per UTC day. A feed such as Shadowserver
/// legitimately sends millions of rows a day, an individual a few; ops set each reporter's, the desk's defaults
/// cover everyone else.
/// </summary>
public sealed record ReporterLimits(int ReportsPerMinute, long BytesPerDay, long EventsPerDay);

/// <summary>Which limit refused, in the words a reporter reads, and when trying again can succeed.</summary>
public sealed record LimitRefusal(string Limit, string Detail, TimeSpan RetryAfter);

/// <summary>
/// A reporter's use of its limits in the current windows: a fixed one-minute window of new reports, and the UTC day's
/// bytes and events. Pure: the caller stores it (one row per reporter) and passes the time.
/// </summary>
public sealed record ReporterUsage(DateTimeOffset MinuteStart, int MinuteReports, DateOnly Day, long DayReports, long DayBytes, long DayEvents)
{
    public const string ReportsPerMinuteLimit = "reportsPerMinute";
    public const string BytesPerDayLimit = "bytesPerDay";
    public const string EventsPerDayLimit = "eventsPerDay";

    public static ReporterUsage None { get; } = new(DateTimeOffset.MinValue, 0, DateOnly.MinValue, 0, 0, 0);

    /// <summary>This usage as seen at <paramref name="now"/>: windows that have passed start again from zero.</summary>
    public ReporterUsage At(DateTimeOffset now)
    {
        var minute = MinuteOf(now);
        var day = DayOf(now);
        return this with
        {
            MinuteStart = minute,
            MinuteReports = MinuteStart == minute ? MinuteReports : 0,
            Day = day,
            DayReports = Day == day ? DayReports : 0,
            DayBytes = Day == day ? DayBytes : 0,
            DayEvents = Day == day ? DayEvents : 0,
        };
    }

    /// <summary>
    /// Whether a new report of <paramref name="bytes"/> may come in now. Events are only known once it is parsed, so a
    /// report is refused on them only when the day's are already used up (<see cref="TakeEvents"/> holds the rest).
    /// </summary>
    public LimitRefusal? Admit(ReporterLimits limits, long bytes, DateTimeOffset now)
    {
        var current = At(now);
        if (current.MinuteReports >= limits.ReportsPerMinute)
        {
            return new LimitRefusal(ReportsPerMinuteLimit,
                $"this reporter may send {limits.ReportsPerMinute} new reports a minute", UntilNextMinute(now));
        }

        if (current.DayBytes + bytes > limits.BytesPerDay)
        {
            return new LimitRefusal(BytesPerDayLimit,
                $"this reporter may send {limits.BytesPerDay} bytes a day (UTC); {current.DayBytes} used today", UntilNextDay(now));
        }

        if (current.DayEvents >= limits.EventsPerDay)
        {
            return new LimitRefusal(EventsPerDayLimit,
                $"this reporter may send {limits.EventsPerDay} events a day (UTC); all used today", UntilNextDay(now));
        }

        return null;
    }

    /// <summary>Counts a new report (never a duplicate: a sender's retry of what it already sent is not news).</summary>
    public ReporterUsage WithReport(long bytes, DateTimeOffset now)
    {
        var current = At(now);
        return current with
        {
            MinuteReports = current.MinuteReports + 1,
            DayReports = current.DayReports + 1,
            DayBytes = current.DayBytes + bytes,
        };
    }

    /// <summary>
    /// Takes a parsed report's <paramref name="events"/> from the day's allowance, all or none: a report is never half
    /// routed. Null with the refusal when they do not fit.
    /// </summary>
    public (ReporterUsage? Usage, LimitRefusal? Refusal) TakeEvents(ReporterLimits limits, long events, DateTimeOffset now)
    {
        var current = At(now);
        if (current.DayEvents + events > limits.EventsPerDay)
        {
            return (null, new LimitRefusal(EventsPerDayLimit,
                $"{events} events would pass this reporter's limit of {limits.EventsPerDay} events a day (UTC); {current.DayEvents} used today",
                UntilNextDay(now)));
        }

        return (current with { DayEvents = current.DayEvents + events }, null);
    }

    private static DateTimeOffset MinuteOf(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, TimeSpan.Zero);
    }

    private static DateOnly DayOf(DateTimeOffset now) => DateOnly.FromDateTime(now.UtcDateTime);

    // Whole seconds, at least one: Retry-After is an integer and 0 invites an immediate retry that fails again.
    private static TimeSpan UntilNextMinute(DateTimeOffset now) => Ceiling(MinuteOf(now).AddMinutes(1) - now);

    private static TimeSpan UntilNextDay(DateTimeOffset now) =>
        Ceiling(new DateTimeOffset(DayOf(now).AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) - now);

    private static TimeSpan Ceiling(TimeSpan span) => TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(span.TotalSeconds)));
}
