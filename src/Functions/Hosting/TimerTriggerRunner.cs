using System.Globalization;

namespace AbuseDesk.Functions.Hosting;

/// <summary>
/// Runs timer triggers locally from their function.json schedule (six-field NCRONTAB as in Azure). The local
/// runner understands the forms the app uses — "0 */N * * * *" (every N minutes) and "*/N * * * * *" (every N
/// seconds); anything else runs once a minute and says so.
/// </summary>
public sealed class TimerTriggerRunner(FunctionManifest manifest, IEnumerable<ITriggeredFunction> functions, ILogger<TimerTriggerRunner> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(manifest.Functions.Where(f => f.TriggerType == "timerTrigger").Select(f => RunAsync(f, functions.Single(h => h.Name == f.Name), stoppingToken)));

    private async Task RunAsync(FunctionDefinition definition, ITriggeredFunction function, CancellationToken stoppingToken)
    {
        var interval = Interval(definition.Schedule);
        if (interval is null)
        {
            logger.LogWarning("Timer {Function}: schedule '{Schedule}' not understood locally; running once a minute", definition.Name, definition.Schedule);
        }

        using var timer = new PeriodicTimer(interval ?? TimeSpan.FromMinutes(1));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await function.RunAsync(new TriggerInput("{}", 1, new Dictionary<string, string?>()), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Timer {Function} failed; it runs again at the next tick", definition.Name);
            }
        }
    }

    internal static TimeSpan? Interval(string? schedule)
    {
        var fields = schedule?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields is not { Length: 6 } || fields[2..].Any(f => f != "*"))
        {
            return null;
        }

        static int? Every(string field) =>
            field.StartsWith("*/", StringComparison.Ordinal) && int.TryParse(field[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

        return (fields[0], fields[1]) switch
        {
            ("0", var minutes) when Every(minutes) is { } n => TimeSpan.FromMinutes(n),
            (var seconds, "*") when Every(seconds) is { } n => TimeSpan.FromSeconds(n),
            _ => null,
        };
    }
}
