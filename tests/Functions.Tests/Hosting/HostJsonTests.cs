using AbuseDesk.DevHost;
using Microsoft.Extensions.Configuration;

namespace AbuseDesk.Functions.Tests.Hosting;

/// <summary>The dev host reads host.json's durableTask section as the Functions host does, app-setting overrides included.</summary>
public sealed class HostJsonTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"host-{Guid.NewGuid():N}.json");

    public HostJsonTests() => File.WriteAllText(_path, """
        { "version": "2.0", "extensions": { "durableTask": { "hubName": "Desk", "storageProvider": { "partitionCount": 8 } } } }
        """);

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void The_engine_is_the_Azure_Storage_provider_unless_told_otherwise()
    {
        var durable = new HostJson(_path, Settings()).Durable;

        Assert.Equal(DurableSettings.AzureStorage, durable.ProviderType);
        Assert.Equal(8, durable.PartitionCount);
        Assert.Equal("Desk", durable.HubName);
    }

    [Fact]
    public void An_app_setting_puts_the_engine_in_memory_for_a_benchmark()
    {
        var durable = new HostJson(_path, Settings(("AzureFunctionsJobHost:extensions:durableTask:storageProvider:type", "InMemory"))).Durable;

        Assert.Equal(DurableSettings.InMemory, durable.ProviderType);
    }

    [Fact]
    public void A_provider_this_host_cannot_run_stops_it_at_start_naming_the_value()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new HostJson(_path, Settings(("AzureFunctionsJobHost:extensions:durableTask:storageProvider:type", "mssql"))));

        Assert.Contains("'mssql'", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();
}
