using AbuseDesk.Domain.Cases;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Demo;
using AbuseDesk.Functions.Notifications;
using AbuseDesk.Functions.Storage;
using AbuseDesk.Functions.Telemetry;

namespace AbuseDesk.Functions.Hosting;

/// <summary>
/// Start-up, before the first invocation: a bad playbook file or bad options stop the app with a message (not
/// the first request), storage is waited for and its tables, queues and containers made, and the demo data
/// seeded when asked for.
/// </summary>
public sealed class DeskStartup(IServiceProvider services, ILogger<DeskStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            services.GetRequiredService<PlaybookSet>();
        }
        catch (PlaybookConfigException ex)
        {
            throw new InvalidOperationException($"AbuseDesk cannot start: invalid playbooks: {ex.Message}", ex);
        }

        services.GetRequiredService<Portal.CaseLinks>();
        services.GetRequiredService<MailRateLimiter>();
        DeskMetrics.ReadBreakerWith(async ct => (await services.GetRequiredService<SafetyStore>().BreakerAsync(ct))?.Open ?? false);

        await WaitForStorageAsync(services.GetRequiredService<DeskStorage>(), cancellationToken);
        await services.GetRequiredService<DemoData>().SeedAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task WaitForStorageAsync(DeskStorage storage, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await storage.EnsureCreatedAsync(cancellationToken);
                return;
            }
            catch (Exception ex) when (DateTime.UtcNow < deadline && ex is not OperationCanceledException)
            {
                logger.LogWarning("Storage not reachable yet ({Message}); retrying", ex.Message);
                await Task.Delay(1000, cancellationToken);
            }
        }
    }
}
