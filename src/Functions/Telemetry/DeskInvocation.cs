using System.Diagnostics;
using System.Text.Json;

namespace AbuseDesk.Functions.Telemetry;

/// <summary>
/// One function invocation as telemetry: an activity named after the function (tags report.id, case.id) and a
/// log scope with the same ids, so every line a handler logs says which report or case it was about. The ids are
/// read from the trigger's JSON payload (ParseRequest, CaseStepRequest, EmailRequest, PlatformMessage all
/// name them); a payload that is not such JSON simply carries none.
/// </summary>
public sealed class DeskInvocation : IDisposable
{
    private readonly Activity? _activity;
    private readonly IDisposable? _scope;

    private DeskInvocation(Activity? activity, IDisposable? scope)
    {
        _activity = activity;
        _scope = scope;
    }

    public static DeskInvocation Start(string function, string payload, ILogger logger, ActivityKind kind = ActivityKind.Internal)
    {
        var (reportId, caseId, caseIds) = IdsOf(payload);
        // A wake-up for a batch of cases is about all of them: naming only the first would mislabel the others' lines.
        var batch = caseIds is { Count: > 1 };
        var activity = DeskTelemetry.Source.StartActivity(function, kind);
        activity?.SetTag("faas.name", function);
        activity?.SetTag("report.id", reportId);
        activity?.SetTag("case.id", batch ? null : caseId);
        activity?.SetTag("case.ids", batch ? string.Join(',', caseIds!) : null);
        var scope = new DeskLogScope(reportId, batch ? null : caseId, batch ? caseIds : null);
        return new DeskInvocation(activity, scope.IsEmpty ? null : logger.BeginScope(scope));
    }

    /// <summary>Runs one queue, blob or timer invocation inside its activity and log scope; a failure is recorded and rethrown for the host to retry.</summary>
    public static Task RunAsync(string function, string payload, ILogger logger, Func<Task> run) =>
        RunAsync(function, payload, logger, async () =>
        {
            await run();
            return true;
        });

    /// <summary>Runs one Durable activity inside its activity and log scope; a failure is recorded and rethrown for the engine's retry policy.</summary>
    public static async Task<T> RunAsync<T>(string function, string payload, ILogger logger, Func<Task<T>> run)
    {
        using var invocation = Start(function, payload, logger, ActivityKind.Consumer);
        try
        {
            return await run();
        }
        catch (Exception ex)
        {
            invocation.Failed(ex);
            throw;
        }
    }

    /// <summary>The function threw: the activity records the error (the host retries or poisons the message).</summary>
    public void Failed(Exception exception)
    {
        _activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
        _activity?.AddException(exception);
    }

    public void Dispose()
    {
        _scope?.Dispose();
        _activity?.Dispose();
    }

    internal static (string? ReportId, string? CaseId, IReadOnlyList<string>? CaseIds) IdsOf(string payload)
    {
        if (!payload.AsSpan().TrimStart().StartsWith("{"))
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            string? Text(string name) =>
                root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            List<string>? caseIds = null;
            if (root.TryGetProperty("caseIds", out var ids) && ids.ValueKind == JsonValueKind.Array)
            {
                caseIds = [.. ids.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetString()!)];
            }

            return (Text("reportId"), Text("caseId"), caseIds);
        }
        catch (JsonException)
        {
            // A malformed message fails in its handler, which says why; telemetry just has no ids for it.
            return default;
        }
    }
}
