using System.Net;
using System.Text.Json;
using AbuseDesk.Functions.Telemetry;

namespace AbuseDesk.Functions.Hosting;

/// <summary>
/// The custom-handler protocol for non-HTTP triggers: the Functions host POSTs
/// <c>{"Data":{binding:value},"Metadata":{...}}</c> to <c>/{functionName}</c> and reads back
/// <c>{"Outputs":{},"Logs":[],"ReturnValue":null}</c>. A non-2xx reply tells the host the invocation failed,
/// so it applies its own retry and poison-queue rules.
/// </summary>
public static class InvocationEndpoint
{
    public static void MapInvocations(this WebApplication app, FunctionManifest manifest)
    {
        foreach (var definition in manifest.Functions.Where(f => f.TriggerType is "queueTrigger" or "blobTrigger" or "timerTrigger"))
        {
            app.MapPost($"/{definition.Name}", (HttpContext context, IEnumerable<ITriggeredFunction> functions, ILoggerFactory loggers) =>
                InvokeAsync(context, definition, functions.Single(f => f.Name == definition.Name), loggers.CreateLogger(definition.Name)))
                .ExcludeFromDescription();
        }
    }

    private static async Task<IResult> InvokeAsync(HttpContext context, FunctionDefinition definition, ITriggeredFunction function, ILogger logger)
    {
        // Only the co-located Functions host (or the local machine) may invoke functions directly.
        if (context.Connection.RemoteIpAddress is { } remote && !IPAddress.IsLoopback(remote))
        {
            return Results.NotFound();
        }

        TriggerInput input;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            input = ReadInput(document.RootElement, definition.BindingName);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return Results.Problem(title: "Invalid invocation request", detail: ex.Message, statusCode: StatusCodes.Status400BadRequest);
        }

        using var invocation = FunctionInvocation.Start(definition.Name, input.Payload, logger);
        try
        {
            await function.RunAsync(input, context.RequestAborted);
            return Results.Json(new InvocationResponse(new Dictionary<string, object?>(), [$"{definition.Name} completed"], null));
        }
        catch (Exception ex)
        {
            invocation.Failed(ex);
            logger.LogError(ex, "{Function} failed (dequeue count {DequeueCount})", definition.Name, input.DequeueCount);
            return Results.Json(
                new InvocationResponse(new Dictionary<string, object?>(), [$"{definition.Name} failed: {ex.GetType().Name}: {ex.Message}"], null),
                statusCode: StatusCodes.Status500InternalServerError);
        }
    }

    internal static TriggerInput ReadInput(JsonElement root, string bindingName)
    {
        var data = root.GetProperty("Data");
        var value = data.TryGetProperty(bindingName, out var bound) ? bound : data.EnumerateObject().First().Value;
        var payload = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

        var metadata = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (root.TryGetProperty("Metadata", out var meta) && meta.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in meta.EnumerateObject())
            {
                metadata[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Null => null,
                    _ => property.Value.GetRawText(),
                };
            }
        }

        var dequeueCount = metadata.TryGetValue("DequeueCount", out var count) && long.TryParse(count, out var n) ? n : 1;
        return new TriggerInput(payload, dequeueCount, metadata);
    }

    internal sealed record InvocationResponse(
        [property: System.Text.Json.Serialization.JsonPropertyName("Outputs")] Dictionary<string, object?> Outputs,
        [property: System.Text.Json.Serialization.JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
        [property: System.Text.Json.Serialization.JsonPropertyName("ReturnValue")] object? ReturnValue);
}
