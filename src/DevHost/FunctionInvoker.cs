using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace AbuseDesk.DevHost;

/// <summary>
/// Calls a function the way the isolated worker does: a new instance of its class per invocation (constructor
/// injection from that invocation's scope), its trigger value, the binding data it names (route values, the
/// blob's {name}, an activity's instanceId), a CancellationToken and a [DurableClient] DurableTaskClient.
/// </summary>
public sealed partial class FunctionInvoker(IServiceProvider root)
{
    public async Task<object?> InvokeAsync(
        FunctionDescriptor function,
        object? trigger,
        IReadOnlyDictionary<string, object?> bindingData,
        CancellationToken cancellationToken,
        IServiceProvider? scope = null)
    {
        await using var owned = scope is null ? root.CreateAsyncScope() : (AsyncServiceScope?)null;
        var services = scope ?? owned!.Value.ServiceProvider;
        var target = function.Method.IsStatic ? null : ActivatorUtilities.CreateInstance(services, function.Method.DeclaringType!);
        try
        {
            var arguments = function.Method.GetParameters().Select(parameter =>
                parameter == function.TriggerParameter ? trigger
                : parameter.ParameterType == typeof(CancellationToken) ? cancellationToken
                : parameter.GetCustomAttribute<DurableClientAttribute>() is not null ? services.GetRequiredService<DurableTaskClient>()
                : bindingData.TryGetValue(parameter.Name!, out var value) ? value
                : throw new InvalidOperationException($"Function '{function.Name}': no binding data '{parameter.Name}' for this invocation.")).ToArray();
            var result = function.Method.Invoke(target, BindingFlags.DoNotWrapExceptions, null, arguments, null);
            if (result is Task task)
            {
                await task;
                return function.Method.ReturnType.IsGenericType ? function.Method.ReturnType.GetProperty("Result")!.GetValue(task) : null;
            }

            return result;
        }
        finally
        {
            switch (target)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    /// <summary>Fails start-up for a parameter the dev host would not know how to bind.</summary>
    internal static void CheckBindable(FunctionDescriptor function)
    {
        var names = BindingDataNames(function);
        foreach (var parameter in function.Method.GetParameters())
        {
            var bindable = parameter.Position == OrchestrationInput(function)?.Position
                || (parameter == function.TriggerParameter
                ? TriggerTypeSupported(function.Trigger, parameter.ParameterType)
                : parameter.ParameterType == typeof(CancellationToken)
                    || (parameter.ParameterType == typeof(DurableTaskClient) && parameter.GetCustomAttribute<DurableClientAttribute>() is not null)
                    || (parameter.ParameterType == typeof(string) && names.Contains(parameter.Name!)));
            if (!bindable)
            {
                throw new InvalidOperationException(
                    $"Function '{function.Name}': the dev host cannot bind parameter '{parameter.Name}' ({parameter.ParameterType.Name}). "
                    + "Bind it in src/DevHost (FunctionInvoker) the way the isolated worker does, or use a supported parameter.");
            }
        }

        var returns = function.Method.ReturnType;
        var returnSupported = function.Trigger == TriggerKind.Http
            ? returns == typeof(Task<IResult>) || returns == typeof(IResult)
            : returns == typeof(Task) || returns == typeof(void) || function.Trigger is TriggerKind.Orchestration or TriggerKind.Activity;
        if (!returnSupported)
        {
            throw new InvalidOperationException($"Function '{function.Name}': the dev host does not handle a {returns.Name} result.");
        }
    }

    /// <summary>
    /// An orchestrator's input, as the isolated worker's Durable extension finds it: the first parameter that is
    /// not the trigger, a CancellationToken or bound otherwise; its type is the orchestration's input type.
    /// </summary>
    internal static ParameterInfo? OrchestrationInput(FunctionDescriptor function) =>
        function.Trigger != TriggerKind.Orchestration ? null
        : function.Method.GetParameters().FirstOrDefault(p => p != function.TriggerParameter && p.ParameterType != typeof(CancellationToken));

    private static bool TriggerTypeSupported(TriggerKind kind, Type type) => kind switch
    {
        TriggerKind.Http => type == typeof(HttpRequest),
        TriggerKind.Queue => type == typeof(Azure.Storage.Queues.Models.QueueMessage) || type == typeof(string),
        TriggerKind.Blob => type == typeof(Azure.Storage.Blobs.BlobClient),
        TriggerKind.Timer => type == typeof(TimerInfo),
        TriggerKind.Orchestration => type == typeof(TaskOrchestrationContext),
        TriggerKind.Activity => true,
        _ => false,
    };

    private static HashSet<string> BindingDataNames(FunctionDescriptor function) => function.Trigger switch
    {
        TriggerKind.Http => [.. TemplateNames(function.Route ?? "")],
        TriggerKind.Blob => [.. TemplateNames(function.BlobPath ?? ""), "blobTrigger"],
        TriggerKind.Activity => ["instanceId"],
        _ => [],
    };

    /// <summary>"api/ops/cases/{caseId}/x/{name:regex(...)}" → caseId, name; "{*rest}" → rest.</summary>
    internal static IEnumerable<string> TemplateNames(string template) =>
        TemplateParameter().Matches(template).Select(m => m.Groups[1].Value);

    [GeneratedRegex(@"\{\*?([A-Za-z_][A-Za-z0-9_]*)[^}]*\}")]
    private static partial Regex TemplateParameter();
}
