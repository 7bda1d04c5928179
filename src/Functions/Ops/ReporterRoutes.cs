using System.Text.Json;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Intake;

namespace AbuseDesk.Functions.Ops;

/// <summary>
/// Reporters: create (the key is shown once), list (never a key or its hash), revoke, and change whether they
/// get told outcomes.
/// </summary>
public static class ReporterRoutes
{
    public static void MapReporterRoutes(this RouteGroupBuilder ops)
    {
        ops.MapPost("/reporters", CreateAsync);
        ops.MapGet("/reporters", ListAsync);
        ops.MapGet("/reporters/{reporterId}", GetAsync);
        ops.MapPost("/reporters/{reporterId}/revoke", RevokeAsync);
        // PUT, not PATCH: in Azure the host forwards only the methods the Ops function.json lists (get, post, put, delete).
        ops.MapPut("/reporters/{reporterId}", UpdateAsync);
    }

    private sealed record NewReporter(string? Name, string? ContactEmail, bool WantsFeedback, string? Actor, string? Reason);

    private static async Task<IResult> CreateAsync(HttpContext context, Reporters reporters, OpsAudit audit)
    {
        NewReporter? body;
        try
        {
            body = await context.Request.ReadFromJsonAsync<NewReporter>(context.RequestAborted);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Problems.BadRequest($"Body must be JSON: {{\"name\":\"...\",\"contactEmail\":\"...\",\"wantsFeedback\":true,\"actor\":\"...\"}} ({ex.Message})");
        }

        if (string.IsNullOrWhiteSpace(body?.Name) || body.Name.Length > 200)
        {
            return Problems.BadRequest("'name' is required (1-200 characters).");
        }

        if (body.ContactEmail is { } email && (email.Length > 254 || !email.Contains('@', StringComparison.Ordinal)))
        {
            return Problems.BadRequest($"'contactEmail' '{email}' is not an email address.");
        }

        // Creating a reporter is in CONTRACT.md without an actor; scripts that name none keep working, recorded as the key.
        var actor = OpsActor.From(context.Request, body.Actor);
        if (actor is null && !string.IsNullOrWhiteSpace(body.Actor))
        {
            return Problems.BadRequest("'actor' must be 1-200 characters.");
        }

        var (reporterId, key) = await reporters.CreateAsync(body.Name.Trim(), body.ContactEmail, body.WantsFeedback, null, null, context.RequestAborted);
        await audit.RecordAsync("reporter-create", reporterId, new OpsIntent(actor ?? AllocationRoutes.UnnamedActor, body.Reason), body.Name.Trim(), context.RequestAborted);
        return Results.Json(new { reporterId, key }, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(HttpContext context, Reporters reporters)
    {
        var all = await reporters.ListAsync(context.RequestAborted);
        var revoked = context.Request.Query["revoked"].FirstOrDefault();
        if (revoked is not null && revoked is not ("true" or "false"))
        {
            return Problems.BadRequest("'revoked' must be true or false.");
        }

        return Results.Json(new
        {
            reporters = all
                .Where(r => revoked is null || r.Revoked == (revoked == "true"))
                .OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
                .Select(View),
        });
    }

    private static async Task<IResult> GetAsync(string reporterId, HttpContext context, Reporters reporters) =>
        await reporters.FindAsync(reporterId, context.RequestAborted) is { } reporter
            ? Results.Json(View(reporter))
            : Problems.NotFound($"No reporter '{reporterId}'.");

    private static async Task<IResult> RevokeAsync(string reporterId, HttpContext context, Reporters reporters, OpsAudit audit)
    {
        var (intent, problem) = await OpsIntent.ReadAsync(context, reasonRequired: true);
        if (intent is null)
        {
            return problem!;
        }

        var reporter = await reporters.RevokeAsync(reporterId, intent.Actor, intent.Reason!, context.RequestAborted);
        if (reporter is null)
        {
            return Problems.NotFound($"No reporter '{reporterId}'.");
        }

        await audit.RecordAsync("reporter-revoke", reporterId, intent, null, context.RequestAborted);
        return Results.Json(View(reporter));
    }

    private sealed record Update(bool? WantsFeedback, string? Actor, string? Reason);

    private static async Task<IResult> UpdateAsync(string reporterId, HttpContext context, Reporters reporters, OpsAudit audit)
    {
        Update? body;
        try
        {
            body = await context.Request.ReadFromJsonAsync<Update>(context.RequestAborted);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Problems.BadRequest($"Body must be JSON: {{\"wantsFeedback\":true,\"actor\":\"...\",\"reason\":\"...\"}} ({ex.Message})");
        }

        var (intent, problem) = OpsIntent.Validate(context.Request, body?.Actor, body?.Reason, reasonRequired: false);
        if (intent is null)
        {
            return problem!;
        }

        if (body?.WantsFeedback is not { } wantsFeedback)
        {
            return Problems.BadRequest("'wantsFeedback' (true or false) is required: it is the one setting this route changes.");
        }

        var reporter = await reporters.SetWantsFeedbackAsync(reporterId, wantsFeedback, context.RequestAborted);
        if (reporter is null)
        {
            return Problems.NotFound($"No reporter '{reporterId}'.");
        }

        await audit.RecordAsync("reporter-feedback", reporterId, intent, $"wantsFeedback={(wantsFeedback ? "true" : "false")}", context.RequestAborted);
        return Results.Json(View(reporter));
    }

    // Never the key nor its hash: the hash is enough to look a key up in the key rows.
    private static object View(ReporterEntity r) => new
    {
        reporterId = r.RowKey,
        name = r.Name,
        contactEmail = r.ContactEmail,
        wantsFeedback = r.WantsFeedback,
        createdAt = r.CreatedAt,
        revoked = r.Revoked,
        revokedAt = r.RevokedAt,
        revokedBy = r.RevokedBy,
        revokeReason = r.RevokeReason,
    };
}
