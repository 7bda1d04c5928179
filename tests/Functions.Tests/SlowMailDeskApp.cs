namespace AbuseDesk.Functions.Tests;

/// <summary>
/// The app sending mail slowly (<see cref="MailsPerSecond"/>, no burst), as a desk at its relay's quota does, with a
/// short feedback window: where customer notices and reporter feedback compete for the rate. It runs on a storage
/// account of its own in the same Azurite (ABUSEDESK_TEST_SLOW_STORAGE, from ./test), a task hub of its own and a
/// free port, so it never takes work from the suite's app. A class fixture: each class gets a fresh process.
/// </summary>
public sealed class SlowMailDeskApp : DeskApp
{
    public const int SlowMailsPerMinute = 60;
    public const double MailsPerSecond = SlowMailsPerMinute / 60.0;

    /// <summary>
    /// Reporter feedback due within this window of its first item goes out as one mail per reporter: long enough that,
    /// even on a loaded machine, the new cases open and ask for the rate within it.
    /// </summary>
    public static new readonly TimeSpan FeedbackWindow = TimeSpan.FromSeconds(30);

    /// <summary>Customers of this app only (2001:db8:90:{i}::/64 → cust-priority-{i}), each with its own address.</summary>
    public const int PriorityCustomers = 10;

    public SlowMailDeskApp()
        : base(Environment.GetEnvironmentVariable("ABUSEDESK_TEST_SLOW_STORAGE"), "ABUSEDESK_TEST_SLOW_STORAGE", LoopbackPort.Free().ToString(System.Globalization.CultureInfo.InvariantCulture))
    {
    }

    /// <summary>
    /// The suite's allocations plus this app's own customers: its notices go to addresses no other test counts (the
    /// apps share one maildev), e.g. not to the crash test's.
    /// </summary>
    protected override string AllAllocations() =>
        base.AllAllocations() + string.Concat(Enumerable.Range(0, PriorityCustomers).Select(i =>
            $"\n2001:db8:90:{i:x}::/64,cust-priority-{i},vm-priority-{i},priority-{i}@priority.test,2026-10-01"));

    protected override void Configure(IDictionary<string, string?> environment)
    {
        base.Configure(environment);
        // One reader per mailbox: the suite's app reads the test mailbox, this one none.
        environment.Remove("AbuseDesk__Mailbox__Host");
        environment["AbuseDesk__Email__MaxPerMinute"] = SlowMailsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["AbuseDesk__Email__Burst"] = "1";
        environment["AbuseDesk__Feedback__Window"] = FeedbackWindow.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        environment["AzureFunctionsJobHost__extensions__durableTask__hubName"] = "Slow" + Guid.NewGuid().ToString("N")[..12];
    }
}
