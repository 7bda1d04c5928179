using Microsoft.Azure.Functions.Worker;
using NCrontab;

namespace AbuseDesk.DevHost;

/// <summary>
/// The timer triggers on their six-field NCRONTAB schedules (seconds first), as the Functions host reads them; a
/// schedule "%Name%" is the app setting Name, and one that is missing stops the host at start, as in Azure.
/// </summary>
public sealed class TimerTriggers(FunctionCatalog catalog, FunctionInvoker invoker, IConfiguration configuration, TimeProvider clock, ILogger<TimerTriggers> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(catalog.Of(TriggerKind.Timer).Select(f => RunAsync(f, stoppingToken)));

    private async Task RunAsync(FunctionDescriptor function, CancellationToken stoppingToken)
    {
        var schedule = CrontabSchedule.Parse(ScheduleOf(function), new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var next = schedule.GetNextOccurrence(now);
            try
            {
                await Task.Delay(next - now, clock, stoppingToken);
                await invoker.InvokeAsync(function, new TimerInfo(), new Dictionary<string, object?>(), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Timer {Function} failed; it runs again at its next occurrence", function.Name);
            }
        }
    }

    private string ScheduleOf(FunctionDescriptor function)
    {
        var schedule = function.Schedule!;
        if (schedule.Length > 2 && schedule[0] == '%' && schedule[^1] == '%')
        {
            var setting = schedule[1..^1];
            return configuration[setting] is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException($"Timer {function.Name}: the app setting {setting} that names its schedule is not set");
        }

        return schedule;
    }
}
