
namespace AbuseDesk.Functions.Tests;

/// <summary>
/// The app with the settings it ships with where the suite's app changes them: no forwarding proxy trusted, and
/// logging at Information with ASP.NET Core's own request logging on, as an operator chasing a problem would turn
/// it. It runs on a storage account of its own in the same Azurite (ABUSEDESK_TEST_STOCK_STORAGE, from ./test) and a
/// task hub of its own, on a free port, so it never takes work from the suite's app. Used as a class fixture: each
/// class gets a fresh process, with fresh rate limits and a log of its own.
/// </summary>
public sealed class StockDeskApp : DeskApp
{
    public StockDeskApp()
        : base(Environment.GetEnvironmentVariable("ABUSEDESK_TEST_STOCK_STORAGE"), "ABUSEDESK_TEST_STOCK_STORAGE", LoopbackPort.Free().ToString(System.Globalization.CultureInfo.InvariantCulture))
    {
    }

    protected override void Configure(IDictionary<string, string?> environment)
    {
        environment["Logging__LogLevel__Default"] = "Information";
        environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Information";
        // A fresh hub per process: a killed predecessor's partition leases would otherwise hold orchestrations up.
        environment["AzureFunctionsJobHost__extensions__durableTask__hubName"] = "Stock" + Guid.NewGuid().ToString("N")[..12];
    }
}
