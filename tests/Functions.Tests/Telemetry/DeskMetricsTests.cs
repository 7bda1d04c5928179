using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Functions.Telemetry;

namespace AbuseDesk.Functions.Tests.Telemetry;

/// <summary>
/// The metric names and dimensions are what the workbook and alerts query: each is checked as a listener sees it.
/// Case transitions come from the real state machine, so the counting follows what the desk actually commits.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class DeskMetricsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly PlaybookSet Playbooks = PlaybookSet.Defaults;

    [Fact]
    public void A_new_report_counts_as_received_per_reporter_and_a_duplicate_does_not()
    {
        using var capture = new MetricsCapture();
        var reporter = "rep-" + Guid.NewGuid().ToString("N");

        DeskMetrics.ReportAccepted(reporter, duplicate: false);
        DeskMetrics.ReportAccepted(reporter, duplicate: true);

        var received = Assert.Single(capture.Named("abusedesk.reports.received"), m => m.Tags["reporter"] == reporter);
        Assert.Equal(1, received.Value);
    }

    [Fact]
    public void A_failed_report_counts_with_its_reporter_and_format()
    {
        using var capture = new MetricsCapture();
        var reporter = "rep-" + Guid.NewGuid().ToString("N");

        DeskMetrics.ReportFailed(reporter, "xarf");
        DeskMetrics.ReportFailed(reporter, null);

        var failed = capture.Named("abusedesk.reports.failed").Where(m => m.Tags["reporter"] == reporter).ToList();
        Assert.Equal(["xarf", "unknown"], failed.Select(m => m.Tags["format"]));
    }

    [Fact]
    public void Routed_and_unrouted_events_count_separately()
    {
        using var capture = new MetricsCapture();

        DeskMetrics.EventsRouted(7, 3);

        Assert.Equal(7, Assert.Single(capture.Named("abusedesk.events.routed")).Value);
        Assert.Equal(3, Assert.Single(capture.Named("abusedesk.events.unrouted")).Value);
    }

    [Fact]
    public void Notifications_count_sent_and_failed_by_kind()
    {
        using var capture = new MetricsCapture();

        DeskMetrics.NotificationSent("FirstNotice");
        DeskMetrics.NotificationFailed("Reminder");

        Assert.Equal("FirstNotice", Assert.Single(capture.Named("abusedesk.notifications.sent")).Tags["kind"]);
        Assert.Equal("Reminder", Assert.Single(capture.Named("abusedesk.notifications.failed")).Tags["kind"]);
    }

    [Fact]
    public void A_case_counts_as_opened_once_when_its_playbook_starts_and_not_on_later_transitions()
    {
        using var capture = new MetricsCapture();
        var fresh = NewCase(AbuseClass.Phishing);

        var notice = Commit(fresh, new EventsAdded(), Now);
        var reminder = Commit(notice.State, new TimerDue(TimerKind.Reminder, notice.State.Version), notice.State.Deadline!.Value.AddHours(-12));

        var opened = Assert.Single(capture.Named("abusedesk.cases.opened"));
        Assert.Equal("phishing", opened.Tags["class"]);
        Assert.Equal(CaseStatus.Notified, reminder.State.Status);
        Assert.Empty(capture.Named("abusedesk.cases.resolved"));
    }

    [Fact]
    public void A_resolved_case_counts_as_resolved_with_its_time_from_opening_in_seconds()
    {
        using var capture = new MetricsCapture();
        var notified = Commit(NewCase(AbuseClass.Spam), new EventsAdded(), Now).State;

        var resolved = Commit(notified, new CustomerResolution(ResolutionKind.Fixed, "closed the open relay"), Now.AddHours(5));

        Assert.Equal(CaseStatus.Resolved, resolved.State.Status);
        Assert.Equal("spam", Assert.Single(capture.Named("abusedesk.cases.resolved")).Tags["class"]);
        var duration = Assert.Single(capture.Named("abusedesk.cases.time_to_resolution"));
        Assert.Equal("s", duration.Unit);
        Assert.Equal(TimeSpan.FromHours(5).TotalSeconds, duration.Value);
        Assert.Equal("spam", duration.Tags["class"]);
    }

    [Fact]
    public void An_automated_suspension_counts_as_automated_and_an_ops_reinstatement_does_not()
    {
        using var capture = new MetricsCapture();
        var notified = Commit(NewCase(AbuseClass.Spam), new EventsAdded(), Now).State;
        var suspended = Commit(notified, new TimerDue(TimerKind.Deadline, notified.Version, SafetyFacts.None), notified.Deadline!.Value).State;
        Assert.Equal(CaseStatus.Suspended, suspended.Status);

        Commit(suspended, new OpsAction(CaseStateMachine.Reinstate, "alice", "customer cleaned up"), notified.Deadline!.Value.AddHours(1));

        var actions = capture.Named("abusedesk.suspensions").Select(m => (m.Tags["action"], m.Tags["automated"])).ToList();
        Assert.Equal([("suspend", "yes"), ("reinstate", "no")], actions);
        Assert.Empty(capture.Named("abusedesk.safety.blocked"));
    }

    [Fact]
    public void Each_safety_that_held_an_automated_suspension_counts_by_name()
    {
        using var capture = new MetricsCapture();
        // A long-standing customer, and an allow-flag on top: two safeties block, the other two pass.
        var notified = Commit(NewCase(AbuseClass.Spam, new DateOnly(2019, 1, 1)), new EventsAdded(), Now).State;
        var flag = new AllowFlag(notified.CustomerId, null, null, "load test this week", "bob", Now.AddDays(7));
        var facts = new SafetyFacts([flag], null, 0, false);

        var held = Commit(notified, new TimerDue(TimerKind.Deadline, notified.Version, facts), notified.Deadline!.Value);

        Assert.Equal(CaseStatus.SuspensionPending, held.State.Status);
        var blocked = capture.Named("abusedesk.safety.blocked").Select(m => m.Tags["safety"]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([SafetyChecks.AllowFlag, SafetyChecks.CustomerAge], blocked);
        Assert.Empty(capture.Named("abusedesk.suspensions"));
    }

    [Theory]
    [InlineData("customer-age: BLOCK (customer since 2019-01-01 (2515 days))", "customer-age")]
    [InlineData("circuit-breaker: pass (3 of 20 this hour)", null)]
    [InlineData("allow-flag: pass (no flag: BLOCK lists nothing)", null)]
    public void A_history_safeties_line_names_the_safety_only_when_it_blocked(string line, string? expected) =>
        Assert.Equal(expected, DeskMetrics.BlockingSafety(line));

    [Fact]
    public void The_breaker_gauge_reports_the_state_last_read_or_written()
    {
        using var capture = new MetricsCapture();

        DeskMetrics.BreakerObserved(true);
        capture.Observe();
        DeskMetrics.BreakerObserved(false);
        capture.Observe();

        Assert.Equal([1d, 0d], capture.Named("abusedesk.breaker.open").Select(m => m.Value));
    }

    [Fact]
    public async Task A_stale_breaker_gauge_reads_the_breaker_again_in_the_background()
    {
        using var capture = new MetricsCapture();
        var reads = 0;
        var read = new TaskCompletionSource();
        DeskMetrics.ReadBreakerWith(_ =>
        {
            Interlocked.Increment(ref reads);
            read.TrySetResult();
            return Task.FromResult(true);
        });
        try
        {
            DeskMetrics.BreakerObserved(false);
            capture.Observe();
            Assert.Equal(0, Volatile.Read(ref reads));

            DeskMetrics.MarkBreakerStale();
            capture.Observe();
            await read.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await Eventually.Async(() => Task.FromResult(Observed(capture) == 1), TimeSpan.FromSeconds(10), "the gauge shows the breaker read in the background");
        }
        finally
        {
            DeskMetrics.ReadBreakerWith(null);
        }

        static double Observed(MetricsCapture capture)
        {
            capture.Observe();
            return capture.Named("abusedesk.breaker.open")[^1].Value;
        }
    }

    private static CaseState NewCase(AbuseClass abuseClass, DateOnly? customerSince = null) => new()
    {
        CaseId = "20261120-" + Guid.NewGuid().ToString("N")[..12],
        CustomerId = "cust-metrics",
        ResourceId = "vm-metrics",
        AbuseClass = abuseClass,
        ContactEmail = "noc@metrics.test",
        CustomerSince = customerSince ?? new DateOnly(2026, 10, 1),
        Ip = "198.51.100.9",
        EventCount = 1,
        OpenedAt = Now,
        LastEventAt = Now,
    };

    /// <summary>What CaseTransitions does after a successful commit: decide, then count.</summary>
    private static Transition Commit(CaseState state, CaseInput input, DateTimeOffset at)
    {
        var transition = Assert.IsType<Transition>(CaseStateMachine.Decide(state, input, Playbooks, at));
        DeskMetrics.Committed(state, transition, at);
        return transition;
    }
}
