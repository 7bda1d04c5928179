using System.Diagnostics;
using System.Diagnostics.Metrics;
using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Functions.Telemetry;

/// <summary>
/// The desk's business metrics. The names and dimensions are a contract: the Bicep workbook and alerts query
/// them in Application Insights' customMetrics (docs/telemetry.md lists them). Callers count after the write
/// that makes a fact true has committed, so a retried message never counts twice.
/// </summary>
public static class DeskMetrics
{
    public const string MeterName = "AbuseDesk";

    /// <summary>How stale the breaker gauge may be before an export triggers a fresh read of the breaker row.</summary>
    public static readonly TimeSpan BreakerFreshness = TimeSpan.FromSeconds(30);

    internal static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> ReportsReceived = Meter.CreateCounter<long>("abusedesk.reports.received", "{report}", "New raw reports kept (duplicates not counted)");
    private static readonly Counter<long> ReportsFailed = Meter.CreateCounter<long>("abusedesk.reports.failed", "{report}", "Reports that could not be parsed");
    private static readonly Counter<long> EventsRoutedCounter = Meter.CreateCounter<long>("abusedesk.events.routed", "{event}", "Events matched to a customer's allocation");
    private static readonly Counter<long> EventsUnroutedCounter = Meter.CreateCounter<long>("abusedesk.events.unrouted", "{event}", "Events outside the provider's network");
    private static readonly Counter<long> CasesOpened = Meter.CreateCounter<long>("abusedesk.cases.opened", "{case}", "Cases that started their playbook");
    private static readonly Counter<long> CasesResolved = Meter.CreateCounter<long>("abusedesk.cases.resolved", "{case}", "Cases that ended resolved or closed");
    private static readonly Histogram<double> TimeToResolution = Meter.CreateHistogram<double>("abusedesk.cases.time_to_resolution", "s", "From a case's opening to its resolution or closing");
    private static readonly Counter<long> NotificationsSent = Meter.CreateCounter<long>("abusedesk.notifications.sent", "{mail}", "Mails handed to the SMTP relay");
    private static readonly Counter<long> NotificationsFailed = Meter.CreateCounter<long>("abusedesk.notifications.failed", "{mail}", "Mails given up on");
    private static readonly Counter<long> Suspensions = Meter.CreateCounter<long>("abusedesk.suspensions", "{action}", "Platform actions committed (suspend, reinstate, terminate)");
    private static readonly Counter<long> SafetyBlocks = Meter.CreateCounter<long>("abusedesk.safety.blocked", "{check}", "Safety checks that blocked an automated suspension");

    // -1: not read yet, so the gauge reports nothing rather than a guess.
    private static int s_breakerOpen = -1;
    private static long s_breakerSeenAt = long.MinValue;
    private static int s_refreshing;
    private static Func<CancellationToken, Task<bool>>? s_readBreaker;

    static DeskMetrics()
    {
        Meter.CreateObservableGauge("abusedesk.breaker.open", ObserveBreaker, "1", "1 while the circuit breaker pauses automated suspensions");
    }

    /// <summary>A report was taken in; a duplicate of one already kept is not a new report.</summary>
    public static void ReportAccepted(string reporterId, bool duplicate)
    {
        if (!duplicate)
        {
            ReportsReceived.Add(1, new KeyValuePair<string, object?>("reporter", reporterId));
        }
    }

    public static void ReportFailed(string reporterId, string? format) =>
        ReportsFailed.Add(1, new("reporter", reporterId), new("format", string.IsNullOrEmpty(format) ? "unknown" : format));

    /// <summary>One chunk of a report's events, after the chunk is recorded as done.</summary>
    public static void EventsRouted(int routed, int unrouted)
    {
        EventsRoutedCounter.Add(routed);
        EventsUnroutedCounter.Add(unrouted);
    }

    public static void NotificationSent(string kind) => NotificationsSent.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public static void NotificationFailed(string kind) => NotificationsFailed.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public static void CaseOpened(AbuseClass abuseClass) => CasesOpened.Add(1, Class(abuseClass));

    public static void CaseResolved(AbuseClass abuseClass, TimeSpan sinceOpened)
    {
        CasesResolved.Add(1, Class(abuseClass));
        TimeToResolution.Record(Math.Max(0, sinceOpened.TotalSeconds), Class(abuseClass));
    }

    public static void Suspension(PlatformActionKind action, bool automated) =>
        Suspensions.Add(1, new("action", action.ToString().ToLowerInvariant()), new("automated", automated ? "yes" : "no"));

    public static void SafetyBlocked(string safety) => SafetyBlocks.Add(1, new KeyValuePair<string, object?>("safety", safety));

    /// <summary>
    /// Everything a committed case transition counts. <paramref name="before"/> is the state the transition was
    /// decided on; the commit was guarded by its ETag, so each change of state is seen here exactly once.
    /// A case counts as opened when it leaves New (its playbook starts), which happens once per case.
    /// </summary>
    public static void Committed(CaseState before, Transition transition, DateTimeOffset now)
    {
        var after = transition.State;
        if (before.Status == CaseStatus.New && after.Status != CaseStatus.New)
        {
            CaseOpened(after.AbuseClass);
        }

        if (before.Status.IsOpen() && after.Status is CaseStatus.Resolved or CaseStatus.Closed)
        {
            CaseResolved(after.AbuseClass, (after.ResolvedAt ?? after.EndedAt ?? now) - after.OpenedAt);
        }

        var automated = transition.Effects.Any(e => e is CountAutomatedSuspension);
        foreach (var action in transition.Effects.OfType<PlatformAction>())
        {
            Suspension(action.Kind, automated && action.Kind == PlatformActionKind.Suspend);
        }

        foreach (var line in transition.History.SelectMany(h => h.Safeties ?? []))
        {
            if (BlockingSafety(line) is { } safety)
            {
                SafetyBlocked(safety);
            }
        }
    }

    /// <summary>A history Safeties line is "name: pass (detail)" or "name: BLOCK (detail)" (SafetyResult.ToString).</summary>
    internal static string? BlockingSafety(string line)
    {
        // The verdict follows the first ": "; a detail may quote anything, "BLOCK" included.
        var at = line.IndexOf(": ", StringComparison.Ordinal);
        return at > 0 && line.AsSpan(at + 2).StartsWith("BLOCK", StringComparison.Ordinal) ? line[..at] : null;
    }

    /// <summary>The breaker's state as just read or written by the SafetyStore.</summary>
    public static void BreakerObserved(bool open)
    {
        Volatile.Write(ref s_breakerOpen, open ? 1 : 0);
        Volatile.Write(ref s_breakerSeenAt, Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// How to read the breaker when the gauge is older than <see cref="BreakerFreshness"/> (another instance may
    /// have tripped it). Read only when an exporter collects, in the background, so collecting never waits on storage.
    /// </summary>
    public static void ReadBreakerWith(Func<CancellationToken, Task<bool>>? read) => s_readBreaker = read;

    /// <summary>Lets a test age the gauge past <see cref="BreakerFreshness"/> without waiting for it.</summary>
    internal static void MarkBreakerStale() => Volatile.Write(ref s_breakerSeenAt, long.MinValue);

    private static IEnumerable<Measurement<int>> ObserveBreaker()
    {
        var seenAt = Volatile.Read(ref s_breakerSeenAt);
        var stale = seenAt == long.MinValue || Stopwatch.GetElapsedTime(seenAt) > BreakerFreshness;
        if (stale && s_readBreaker is { } read && Interlocked.CompareExchange(ref s_refreshing, 1, 0) == 0)
        {
            _ = RefreshBreakerAsync(read);
        }

        var open = Volatile.Read(ref s_breakerOpen);
        return open < 0 ? [] : [new Measurement<int>(open)];
    }

    private static async Task RefreshBreakerAsync(Func<CancellationToken, Task<bool>> read)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            BreakerObserved(await read(timeout.Token));
        }
        catch (Exception)
        {
            // Storage unreachable: keep the last known state; the next collection tries again.
        }
        finally
        {
            Volatile.Write(ref s_refreshing, 0);
        }
    }

    private static KeyValuePair<string, object?> Class(AbuseClass abuseClass) => new("class", abuseClass.ToWireName());
}
