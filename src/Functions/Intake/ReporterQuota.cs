using AbuseDesk.Domain.Intake;
using AbuseDesk.Functions.Storage;
using Azure;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Intake;

/// <summary>
/// A reporter's use of its limits, one row per reporter (PK = "usage:{reporterId}", RK = "current") in the reporters
/// table: the windows roll over inside the row (<see cref="ReporterUsage"/>), so nothing piles up to clean. Changes
/// are ETag-guarded read-modify-writes; in one process they take turns per reporter (striped), so 16 clients of one
/// feed cost a queue, not a storm of conflicts.
/// </summary>
/// <remarks>
/// The admission check and the charge are two steps around storing the report, so concurrent first reports of one
/// reporter can pass a limit by at most their number; a limit that stops floods does not need to be exact, and a
/// retried duplicate must never be refused its id.
/// </remarks>
public sealed class ReporterQuota(DeskStorage storage, IOptions<AbuseDeskOptions> options, TimeProvider clock)
{
    private const int MaxAttempts = 30;
    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>The limits in force for <paramref name="reporter"/>: its own where ops set them, else the desk's defaults.</summary>
    public ReporterLimits LimitsOf(ReporterEntity? reporter)
    {
        var defaults = options.Value.Intake.ReporterLimits;
        return new ReporterLimits(
            reporter?.ReportsPerMinute ?? defaults.ReportsPerMinute,
            reporter?.BytesPerDay ?? defaults.BytesPerDay,
            reporter?.EventsPerDay ?? defaults.EventsPerDay);
    }

    public async Task<ReporterUsage> UsageAsync(string reporterId, CancellationToken cancellationToken) =>
        ((await ReadAsync(reporterId, cancellationToken))?.ToUsage() ?? ReporterUsage.None).At(clock.GetUtcNow());

    /// <summary>Why a new report of <paramref name="bytes"/> from this reporter is refused now, or null.</summary>
    public async Task<LimitRefusal?> AdmitAsync(string reporterId, ReporterLimits limits, long bytes, CancellationToken cancellationToken) =>
        (await UsageAsync(reporterId, cancellationToken)).Admit(limits, bytes, clock.GetUtcNow());

    /// <summary>Counts a new report and its bytes.</summary>
    public Task ChargeReportAsync(string reporterId, long bytes, CancellationToken cancellationToken) =>
        ChangeAsync(reporterId, usage => (usage.WithReport(bytes, clock.GetUtcNow()), null), cancellationToken);

    /// <summary>Takes a parsed report's events from the day's allowance, all or none; the refusal when they do not fit.</summary>
    public Task<LimitRefusal?> TakeEventsAsync(string reporterId, ReporterLimits limits, long events, CancellationToken cancellationToken) =>
        ChangeAsync(reporterId, usage => usage.TakeEvents(limits, events, clock.GetUtcNow()), cancellationToken);

    private async Task<LimitRefusal?> ChangeAsync(string reporterId, Func<ReporterUsage, (ReporterUsage? Usage, LimitRefusal? Refusal)> change, CancellationToken cancellationToken)
    {
        var stripe = _stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(reporterId) % (uint)_stripes.Length)];
        await stripe.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var row = await ReadAsync(reporterId, cancellationToken);
                var (next, refusal) = change(row?.ToUsage() ?? ReporterUsage.None);
                if (next is null)
                {
                    return refusal;
                }

                var entity = ReporterUsageEntity.From(reporterId, next);
                try
                {
                    if (row is null)
                    {
                        await storage.Reporters.AddEntityAsync(entity, cancellationToken);
                    }
                    else
                    {
                        await storage.Reporters.UpdateEntityAsync(entity, row.ETag, Azure.Data.Tables.TableUpdateMode.Replace, cancellationToken);
                    }

                    return null;
                }
                catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
                {
                    // Another process counted first: read again and recount.
                    await Task.Delay(Random.Shared.Next(1, 5 * attempt), cancellationToken);
                }
            }
        }
        finally
        {
            stripe.Release();
        }
    }

    private async Task<ReporterUsageEntity?> ReadAsync(string reporterId, CancellationToken cancellationToken)
    {
        var row = await storage.Reporters.GetEntityIfExistsAsync<ReporterUsageEntity>(ReporterUsageEntity.PartitionFor(reporterId), ReporterUsageEntity.Row, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }
}

/// <summary>A reporter's usage row (PK = "usage:{reporterId}", RK = "current").</summary>
public sealed class ReporterUsageEntity : Entity
{
    public const string Row = "current";

    public DateTimeOffset MinuteStart { get; set; }
    public int MinuteReports { get; set; }
    public DateTimeOffset Day { get; set; }
    public long DayReports { get; set; }
    public long DayBytes { get; set; }
    public long DayEvents { get; set; }

    public static string PartitionFor(string reporterId) => "usage:" + reporterId;

    // Table storage keeps no date-only type: the day is stored as its UTC midnight.
    public ReporterUsage ToUsage() => new(MinuteStart, MinuteReports, DateOnly.FromDateTime(Day.UtcDateTime), DayReports, DayBytes, DayEvents);

    public static ReporterUsageEntity From(string reporterId, ReporterUsage usage) => new()
    {
        PartitionKey = PartitionFor(reporterId),
        RowKey = Row,
        // DateTimeOffset.MinValue is below what table storage accepts (1601-01-01).
        MinuteStart = Floor(usage.MinuteStart),
        MinuteReports = usage.MinuteReports,
        Day = Floor(new DateTimeOffset(usage.Day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)),
        DayReports = usage.DayReports,
        DayBytes = usage.DayBytes,
        DayEvents = usage.DayEvents,
    };

    private static DateTimeOffset Floor(DateTimeOffset time) => time.Year < 1601 ? new DateTimeOffset(1601, 1, 1, 0, 0, 0, TimeSpan.Zero) : time;
}
