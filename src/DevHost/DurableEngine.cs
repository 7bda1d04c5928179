using System.Net;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;

namespace AbuseDesk.DevHost;

/// <summary>
/// Orchestrations and activities on the Durable Task Framework with its Azure Storage provider, the engine and
/// task-hub layout (Instances and History tables, control and work-item queues, lease blobs) that Durable
/// Functions runs in Azure. The engine sits behind the gRPC sidecar of Microsoft.DurableTask, on a loopback port
/// of its own; the standard gRPC worker runs the [OrchestrationTrigger] and [ActivityTrigger] functions and the
/// standard gRPC client is what a [DurableClient] parameter receives, as in the isolated worker.
/// </summary>
public sealed class DurableEngine : IAsyncDisposable
{
    private readonly WebApplication _sidecar;

    private DurableEngine(WebApplication sidecar, GrpcChannel channel)
    {
        _sidecar = sidecar;
        Channel = channel;
    }

    public GrpcChannel Channel { get; }

    public static async Task<DurableEngine> StartAsync(DurableSettings durable, string connectionString, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (service, client) = durable.ProviderType == DurableSettings.InMemory
            ? InMemory(durable, loggers)
            : await AzureStorageAsync(durable, connectionString, loggers);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<IOrchestrationService>(service);
        builder.Services.AddSingleton(client);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        var sidecar = builder.Build();
        sidecar.MapGrpcService<TaskHubGrpcServer>();
        await sidecar.StartAsync(cancellationToken);
        return new DurableEngine(sidecar, GrpcChannel.ForAddress(sidecar.Urls.First()));
    }

    private static async Task<(IOrchestrationService, IOrchestrationServiceClient)> AzureStorageAsync(DurableSettings durable, string connectionString, ILoggerFactory loggers)
    {
        var storage = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(connectionString),
            TaskHubName = durable.HubName,
            PartitionCount = durable.PartitionCount,
            ControlQueueBatchSize = durable.ControlQueueBatchSize,
            MaxQueuePollingInterval = durable.MaxQueuePollingInterval,
            ControlQueueVisibilityTimeout = durable.ControlQueueVisibilityTimeout,
            WorkItemQueueVisibilityTimeout = durable.WorkItemQueueVisibilityTimeout,
            MaxConcurrentTaskActivityWorkItems = durable.MaxConcurrentActivityFunctions,
            MaxConcurrentTaskOrchestrationWorkItems = durable.MaxConcurrentOrchestratorFunctions,
            ExtendedSessionsEnabled = durable.ExtendedSessionsEnabled,
            ExtendedSessionIdleTimeout = TimeSpan.FromSeconds(durable.ExtendedSessionIdleTimeoutInSeconds),
            LoggerFactory = loggers,
            // A start refused because the instance already runs is an error the caller sees (as the Functions host's
            // Durable extension makes it for isolated apps), not a silent no-op: CaseInbox raises the event instead.
            ThrowExceptionOnInvalidDedupeStatus = true,
        });
        await storage.CreateIfNotExistsAsync();
        return (storage, storage);
    }

    private static (IOrchestrationService, IOrchestrationServiceClient) InMemory(DurableSettings durable, ILoggerFactory loggers)
    {
        var memory = new InMemoryEngine(new InMemoryOrchestrationService(loggers), durable.MaxConcurrentOrchestratorFunctions, durable.MaxConcurrentActivityFunctions);
        return (memory, memory);
    }

    /// <summary>The gRPC worker for the app's orchestrations and activities, and the client for [DurableClient].</summary>
    public void AddTo(IServiceCollection services, FunctionCatalog catalog)
    {
        services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(Channel);
            worker.AddTasks(registry =>
            {
                foreach (var function in catalog.Of(TriggerKind.Orchestration))
                {
                    registry.AddOrchestrator(function.Name, () => new FunctionOrchestrator(function));
                }

                foreach (var function in catalog.Of(TriggerKind.Activity))
                {
                    registry.AddActivity(function.Name, services => new FunctionActivity(function, services.GetRequiredService<FunctionInvoker>()));
                }
            });
        });
        services.AddDurableTaskClient(client =>
        {
            client.UseGrpc(Channel);
            client.RegisterDirectly();
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _sidecar.StopAsync();
        await _sidecar.DisposeAsync();
        Channel.Dispose();
    }

    /// <summary>An [OrchestrationTrigger] function, its input given as its unbound parameter (see FunctionInvoker.OrchestrationInput).</summary>
    private sealed class FunctionOrchestrator(FunctionDescriptor function) : ITaskOrchestrator
    {
        private readonly System.Reflection.ParameterInfo? _input = FunctionInvoker.OrchestrationInput(function);

        public Type InputType => _input?.ParameterType ?? typeof(object);

        public Type OutputType => ResultType(function);

        public async Task<object?> RunAsync(TaskOrchestrationContext context, object? input)
        {
            // Orchestrator code runs on the engine's replay thread and must not do I/O: no scope, no instance.
            var arguments = function.Method.GetParameters()
                .Select(p => p == function.TriggerParameter ? context : p == _input ? input : p.ParameterType == typeof(CancellationToken) ? CancellationToken.None : null)
                .ToArray();
            var result = function.Method.Invoke(null, System.Reflection.BindingFlags.DoNotWrapExceptions, null, arguments, null);
            if (result is Task task)
            {
                await task;
                return function.Method.ReturnType.IsGenericType ? function.Method.ReturnType.GetProperty("Result")!.GetValue(task) : null;
            }

            return result;
        }
    }

    /// <summary>An [ActivityTrigger] function: its trigger parameter's type is the activity's input type.</summary>
    private sealed class FunctionActivity(FunctionDescriptor function, FunctionInvoker invoker) : ITaskActivity
    {
        public Type InputType => function.TriggerParameter.ParameterType;

        public Type OutputType => ResultType(function);

        public Task<object?> RunAsync(TaskActivityContext context, object? input) =>
            invoker.InvokeAsync(function, input, new Dictionary<string, object?> { ["instanceId"] = context.InstanceId }, CancellationToken.None);
    }

    private static Type ResultType(FunctionDescriptor function) =>
        function.Method.ReturnType.IsGenericType ? function.Method.ReturnType.GetGenericArguments()[0]
        : function.Method.ReturnType == typeof(Task) || function.Method.ReturnType == typeof(void) ? typeof(object)
        : function.Method.ReturnType;
}
