using System.Security.Cryptography;
using System.Text.Json;
using AbuseDesk.Domain.Ownership;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Hosting;

namespace AbuseDesk.Functions.Ops;

/// <summary>Ops routes for the safeties: allow-flags per customer, and the circuit breaker.</summary>
public static class SafetyRoutes
{
    private sealed record NewFlag(string? ResourceId, string[]? Classes, string? Reason, string? Actor, DateTimeOffset? ExpiresAt);

    internal static async Task<IResult> ListFlagsAsync(string customerId, HttpContext context, SafetyStore safety, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var flags = await safety.FlagsAsync(customerId, context.RequestAborted);
        return Results.Json(new { customerId, flags = flags.Select(f => View(f, now)) });
    }

    internal static async Task<IResult> AddFlagAsync(string customerId, HttpContext context, SafetyStore safety, TimeProvider clock)
    {
        NewFlag? body;
        try
        {
            body = await context.Request.ReadFromJsonAsync<NewFlag>(context.RequestAborted);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Problems.BadRequest($"Body must be JSON: {{\"reason\":\"...\",\"actor\":\"...\",\"expiresAt\":\"...\",\"resourceId\":null,\"classes\":[\"...\"]}} ({ex.Message})");
        }

        var now = clock.GetUtcNow();
        var actor = OpsActor.From(context.Request, body?.Actor);
        if (!AllocationCsv.IsIdentifier(customerId))
        {
            return Problems.BadRequest($"customerId '{customerId}' is not a valid id.");
        }

        if (body is null || string.IsNullOrWhiteSpace(body.Reason) || actor is null)
        {
            return Problems.BadRequest("'reason' and 'actor' are required: an allow-flag says why automation must leave the customer alone, and who decided.");
        }

        if (body.ExpiresAt is not { } expires || expires <= now || expires > now.AddDays(366))
        {
            return Problems.BadRequest("'expiresAt' is required, in the future and at most a year ahead: allow-flags always expire.");
        }

        var classes = new List<string>();
        foreach (var name in body.Classes ?? [])
        {
            if (!AbuseClasses.TryParse(name, out var abuseClass))
            {
                return Problems.BadRequest($"'classes' has '{name}', which is not one of {string.Join(", ", AbuseClasses.WireNames)}.");
            }

            classes.Add(abuseClass.ToWireName());
        }

        var flag = await safety.AddFlagAsync(new AllowFlagEntity
        {
            PartitionKey = customerId,
            RowKey = "f-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
            ResourceId = body.ResourceId,
            Classes = string.Join(',', classes),
            Reason = body.Reason.Trim(),
            SetBy = actor,
            CreatedAt = now,
            ExpiresAt = expires,
        }, context.RequestAborted);
        return Results.Json(View(flag, now), statusCode: StatusCodes.Status201Created);
    }

    internal static async Task<IResult> RemoveFlagAsync(string customerId, string flagId, HttpContext context, SafetyStore safety, OpsAudit audit)
    {
        var (intent, problem) = await OpsIntent.ReadAsync(context, reasonRequired: false);
        if (intent is null)
        {
            return problem!;
        }

        // TableClient.DeleteEntity succeeds for a missing row, so existence is checked first: an unknown flag is a 404.
        var exists = (await safety.FlagsAsync(customerId, context.RequestAborted)).Any(f => f.RowKey == flagId);
        if (!exists || !await safety.RemoveFlagAsync(customerId, flagId, context.RequestAborted))
        {
            return Problems.NotFound($"No allow-flag '{flagId}' for customer '{customerId}'.");
        }

        // The flag row is gone with its reason; the audit keeps who lifted it and why.
        await audit.RecordAsync("allow-flag-remove", $"{customerId}/{flagId}", intent, null, context.RequestAborted);
        return Results.NoContent();
    }

    internal static async Task<IResult> GetBreakerAsync(HttpContext context, SafetyStore safety, TimeProvider clock, Domain.Cases.PlaybookSet playbooks)
    {
        var now = clock.GetUtcNow();
        var breaker = await safety.BreakerAsync(context.RequestAborted);
        var recent = await safety.AutomatedSuspensionsSinceAsync(now.AddHours(-1), now, context.RequestAborted);
        return Results.Json(new
        {
            open = breaker?.Open ?? false,
            openedAt = breaker?.OpenedAt,
            reason = breaker?.Reason,
            resumedAt = breaker?.ResumedAt,
            resumedBy = breaker?.ResumedBy,
            automatedSuspensionsLastHour = recent,
            limitPerHour = playbooks.Safeties.MaxAutomatedSuspensionsPerHour,
        });
    }

    private sealed record Resume(string? Actor, string? Reason);

    internal static async Task<IResult> ResumeBreakerAsync(HttpContext context, SafetyStore safety, TimeProvider clock, OpsAudit audit)
    {
        Resume? body = null;
        if (context.Request.HasJsonContentType())
        {
            try
            {
                body = await context.Request.ReadFromJsonAsync<Resume>(context.RequestAborted);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                return Problems.BadRequest($"Body must be JSON: {{\"actor\":\"...\",\"reason\":\"...\"}} ({ex.Message})");
            }
        }

        var actor = OpsActor.From(context.Request, body?.Actor ?? context.Request.Query["actor"].FirstOrDefault());
        if (actor is null)
        {
            return Problems.BadRequest("'actor' is required: resuming automated suspensions is a recorded decision.");
        }

        await safety.ResumeBreakerAsync(actor, clock.GetUtcNow(), context.RequestAborted);
        await audit.RecordAsync("breaker-resume", "breaker", new OpsIntent(actor, body?.Reason), null, context.RequestAborted);
        return Results.Json(new { open = false, resumedBy = actor });
    }

    private static object View(AllowFlagEntity f, DateTimeOffset now) => new
    {
        flagId = f.RowKey,
        customerId = f.PartitionKey,
        resourceId = string.IsNullOrEmpty(f.ResourceId) ? null : f.ResourceId,
        classes = string.IsNullOrEmpty(f.Classes) ? [] : f.Classes.Split(','),
        reason = f.Reason,
        setBy = f.SetBy,
        createdAt = f.CreatedAt,
        expiresAt = f.ExpiresAt,
        active = f.ExpiresAt > now,
    };
}

/// <summary>GET /api/ops/customers/{customerId}/allow-flags</summary>
public sealed class ListAllowFlags(OpsEndpoint endpoint, SafetyStore safety, TimeProvider clock)
{
    [Function(nameof(ListAllowFlags))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/customers/{customerId}/allow-flags")] HttpRequest request, string customerId) =>
        endpoint.RunAsync(request, () => SafetyRoutes.ListFlagsAsync(customerId, request.HttpContext, safety, clock));
}

/// <summary>POST /api/ops/customers/{customerId}/allow-flags</summary>
public sealed class AddAllowFlag(OpsEndpoint endpoint, SafetyStore safety, TimeProvider clock)
{
    [Function(nameof(AddAllowFlag))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/ops/customers/{customerId}/allow-flags")] HttpRequest request, string customerId) =>
        endpoint.RunAsync(request, () => SafetyRoutes.AddFlagAsync(customerId, request.HttpContext, safety, clock));
}

/// <summary>DELETE /api/ops/customers/{customerId}/allow-flags/{flagId}</summary>
public sealed class RemoveAllowFlag(OpsEndpoint endpoint, SafetyStore safety, OpsAudit audit)
{
    [Function(nameof(RemoveAllowFlag))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/ops/customers/{customerId}/allow-flags/{flagId}")] HttpRequest request, string customerId, string flagId) =>
        endpoint.RunAsync(request, () => SafetyRoutes.RemoveFlagAsync(customerId, flagId, request.HttpContext, safety, audit));
}

/// <summary>GET /api/ops/breaker</summary>
public sealed class GetBreaker(OpsEndpoint endpoint, SafetyStore safety, TimeProvider clock, Domain.Cases.PlaybookSet playbooks)
{
    [Function(nameof(GetBreaker))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/breaker")] HttpRequest request) =>
        endpoint.RunAsync(request, () => SafetyRoutes.GetBreakerAsync(request.HttpContext, safety, clock, playbooks));
}

/// <summary>POST /api/ops/breaker/resume</summary>
public sealed class ResumeBreaker(OpsEndpoint endpoint, SafetyStore safety, TimeProvider clock, OpsAudit audit)
{
    [Function(nameof(ResumeBreaker))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/ops/breaker/resume")] HttpRequest request) =>
        endpoint.RunAsync(request, () => SafetyRoutes.ResumeBreakerAsync(request.HttpContext, safety, clock, audit));
}
