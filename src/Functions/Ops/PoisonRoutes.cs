using System.Text.Encodings.Web;
using System.Text.Json;
using AbuseDesk.Functions.Hosting;

namespace AbuseDesk.Functions.Ops;

/// <summary>Poison messages: peek them, and requeue one to its source queue once whatever broke it is fixed.</summary>
public static class PoisonRoutes
{
    // Message bodies come from reports and their senders: escape HTML-significant characters too, so the JSON is
    // inert even if something renders it as HTML.
    private static readonly JsonSerializerOptions HtmlSafeJson = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.Default,
        Converters = { new UtcDateTimeOffsetConverter() },
    };


    internal static async Task<IResult> PeekAsync(HttpContext context, PoisonQueues poison)
    {
        var limit = PoisonQueues.MaxPeek;
        if (context.Request.Query["limit"].FirstOrDefault() is { } text && (!int.TryParse(text, out limit) || limit is < 1 or > PoisonQueues.MaxPeek))
        {
            return Problems.BadRequest($"'limit' must be a whole number from 1 to {PoisonQueues.MaxPeek} (messages per poison queue; Queue storage peeks at most {PoisonQueues.MaxPeek}).");
        }

        var sources = PoisonQueues.SourceQueues;
        if (context.Request.Query["queue"].FirstOrDefault() is { } named)
        {
            if (PoisonQueues.SourceOf(named) is not { } source)
            {
                return Problems.BadRequest($"'queue' '{named}' is not one of {string.Join(", ", PoisonQueues.SourceQueues)}.");
            }

            sources = [source];
        }

        var messages = await poison.PeekAsync(sources, limit, context.RequestAborted);
        return Results.Json(new
        {
            // Peeking shows the oldest messages of each queue; there is no continuation in Queue storage peeks.
            limitPerQueue = limit,
            messages = messages.Select(m => new
            {
                queue = m.Queue,
                sourceQueue = PoisonQueues.SourceOf(m.Queue),
                messageId = m.MessageId,
                insertedOn = m.InsertedOn,
                expiresOn = m.ExpiresOn,
                dequeueCount = m.DequeueCount,
                bodyLength = m.BodyLength,
                bodyPreview = m.BodyPreview,
                truncated = m.Truncated,
            }),
        }, HtmlSafeJson);
    }

    internal static async Task<IResult> RequeueAsync(string queue, string messageId, HttpContext context, PoisonQueues poison, OpsAudit audit)
    {
        var (intent, problem) = await OpsIntent.ReadAsync(context, reasonRequired: false);
        if (intent is null)
        {
            return problem!;
        }

        if (PoisonQueues.SourceOf(queue) is not { } source)
        {
            return Problems.NotFound($"No queue '{queue}'; poison messages come from {string.Join(", ", PoisonQueues.SourceQueues)}.");
        }

        if (messageId.Length is 0 or > 100)
        {
            return Problems.NotFound($"No message '{messageId}' in {source}-poison.");
        }

        if (!await poison.RequeueAsync(source, messageId, context.RequestAborted))
        {
            return Problems.NotFound($"No message '{messageId}' in {source}-poison (already requeued, or being handled right now).");
        }

        await audit.RecordAsync("poison-requeue", $"{source}/{messageId}", intent, null, context.RequestAborted);
        return Results.Json(new { requeued = true, messageId, from = source + "-poison", to = source });
    }
}

/// <summary>GET /api/ops/poison</summary>
public sealed class ListPoisonMessages(OpsEndpoint endpoint, PoisonQueues poison)
{
    [Function(nameof(ListPoisonMessages))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/poison")] HttpRequest request) =>
        endpoint.RunAsync(request, () => PoisonRoutes.PeekAsync(request.HttpContext, poison));
}

/// <summary>POST /api/ops/poison/{queue}/{messageId}/requeue</summary>
public sealed class RequeuePoisonMessage(OpsEndpoint endpoint, PoisonQueues poison, OpsAudit audit)
{
    [Function(nameof(RequeuePoisonMessage))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/ops/poison/{queue}/{messageId}/requeue")] HttpRequest request, string queue, string messageId) =>
        endpoint.RunAsync(request, () => PoisonRoutes.RequeueAsync(queue, messageId, request.HttpContext, poison, audit));
}
