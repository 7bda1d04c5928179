using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace AbuseDesk.DevHost;

public enum TriggerKind
{
    Http,
    Queue,
    Blob,
    Timer,
    Orchestration,
    Activity,
}

/// <summary>
/// One function as its <c>[Function]</c> declaration states it: the same facts the Worker Sdk writes into
/// functions.metadata for the Functions host (name, trigger, queue, container path, schedule, route, methods).
/// </summary>
public sealed record FunctionDescriptor(
    string Name,
    MethodInfo Method,
    TriggerKind Trigger,
    ParameterInfo TriggerParameter,
    string? QueueName = null,
    string? BlobPath = null,
    string? Schedule = null,
    string? Route = null,
    IReadOnlyList<string>? Methods = null,
    bool UsesDurableClient = false);

/// <summary>
/// The functions of an assembly, read from their <c>[Function]</c> attributes. A parameter the dev host cannot
/// bind stops start-up with its name, rather than failing the first invocation.
/// </summary>
public sealed class FunctionCatalog
{
    private FunctionCatalog(IReadOnlyList<FunctionDescriptor> functions) => Functions = functions;

    public IReadOnlyList<FunctionDescriptor> Functions { get; }

    public IEnumerable<FunctionDescriptor> Of(TriggerKind kind) => Functions.Where(f => f.Trigger == kind);

    public static FunctionCatalog From(Assembly assembly)
    {
        var functions = new List<FunctionDescriptor>();
        foreach (var type in assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is { } function)
                {
                    functions.Add(Describe(function.Name, method));
                }
            }
        }

        var duplicate = functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two functions are named '{duplicate.Key}'.");
        }

        return new FunctionCatalog([.. functions.OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase)]);
    }

    private static FunctionDescriptor Describe(string name, MethodInfo method)
    {
        FunctionDescriptor? descriptor = null;
        var durableClient = false;
        foreach (var parameter in method.GetParameters())
        {
            FunctionDescriptor? trigger = parameter.GetCustomAttributes().FirstOrDefault() switch
            {
                HttpTriggerAttribute http => new(name, method, TriggerKind.Http, parameter, Route: http.Route,
                    Methods: http.Methods?.Select(m => m.ToUpperInvariant()).ToArray() ?? ["GET", "POST"]),
                QueueTriggerAttribute queue => new(name, method, TriggerKind.Queue, parameter, QueueName: queue.QueueName),
                BlobTriggerAttribute blob => new(name, method, TriggerKind.Blob, parameter, BlobPath: blob.BlobPath),
                TimerTriggerAttribute timer => new(name, method, TriggerKind.Timer, parameter, Schedule: timer.Schedule),
                OrchestrationTriggerAttribute => new(name, method, TriggerKind.Orchestration, parameter),
                ActivityTriggerAttribute => new(name, method, TriggerKind.Activity, parameter),
                _ => null,
            };
            if (trigger is not null)
            {
                descriptor = descriptor is null ? trigger : throw new InvalidOperationException($"Function '{name}' has two triggers.");
            }

            durableClient |= parameter.GetCustomAttribute<DurableClientAttribute>() is not null;
        }

        descriptor = (descriptor ?? throw new InvalidOperationException($"Function '{name}' has no trigger the dev host knows.")) with { UsesDurableClient = durableClient };
        FunctionInvoker.CheckBindable(descriptor);
        return descriptor;
    }
}
