using System.Text.Json;
using AbuseDesk.Domain.Notifications;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Intake;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Functions.Ops;

/// <summary>
/// Reporters: create (the key is shown once), list (never a key or its hash), revoke, and change whether they
/// get told outcomes and where. A contact address is one bare mailbox (<see cref="ContactAddress"/>) or refused.
/// </summary>
public static class ReporterRoutes
{
    private sealed record NewReporter(string? Name, string? ContactEmail, bool WantsFeedback, string? Actor, string? Reason, OwnLimits? Limits, List<string>? MailSenders);

    internal static async Task<IResult> CreateAsync(HttpContext context, Reporters reporters, MailSenders senders, OpsAudit audit)
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

        if (body.ContactEmail is { } email && ContactAddress.Problem(email) is { } problem)
        {
            return BadAddress(email, problem);
        }

        if (body.Limits?.Problem() is { } limitsProblem)
        {
            return Problems.BadRequest(limitsProblem + ".");
        }

        // Creating a reporter is in CONTRACT.md without an actor; scripts that name none keep working, recorded as the key.
        var actor = OpsActor.From(context.Request, body.Actor);
        if (actor is null && !string.IsNullOrWhiteSpace(body.Actor))
        {
            return Problems.BadRequest("'actor' must be 1-200 characters.");
        }

        var (mailSenders, sendersProblem) = MailSendersFrom(body.MailSenders);
        if (sendersProblem is not null)
        {
            return sendersProblem;
        }

        if (mailSenders is not null && await senders.TakenAsync("", mailSenders, context.RequestAborted) is { } taken)
        {
            return SenderTaken(taken);
        }

        var (reporterId, key) = await reporters.CreateAsync(body.Name.Trim(), body.ContactEmail, body.WantsFeedback, null, null, context.RequestAborted, body.Limits);
        if (mailSenders is { Count: > 0 })
        {
            await reporters.SetMailSendersAsync(reporterId, mailSenders, senders, context.RequestAborted);
        }

        await audit.RecordAsync("reporter-create", reporterId, new OpsIntent(actor ?? AllocationRoutes.UnnamedActor, body.Reason), body.Name.Trim(), context.RequestAborted);
        return Results.Json(new { reporterId, key }, statusCode: StatusCodes.Status201Created);
    }

    internal static async Task<IResult> ListAsync(HttpContext context, Reporters reporters, ReporterQuota quota)
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
                .Select(r => View(r, quota)),
        });
    }

    internal static async Task<IResult> GetAsync(string reporterId, HttpContext context, Reporters reporters, ReporterQuota quota)
    {
        if (await reporters.FindAsync(reporterId, context.RequestAborted) is not { } reporter)
        {
            return Problems.NotFound($"No reporter '{reporterId}'.");
        }

        var usage = await quota.UsageAsync(reporterId, context.RequestAborted);
        return Results.Json(View(reporter, quota, usage));
    }

    internal static async Task<IResult> RevokeAsync(string reporterId, HttpContext context, Reporters reporters, ReporterQuota quota, OpsAudit audit)
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
        return Results.Json(View(reporter, quota));
    }

    private sealed record Update(bool? WantsFeedback, string? ContactEmail, string? Actor, string? Reason, OwnLimits? Limits, List<string>? MailSenders);

    internal static async Task<IResult> UpdateAsync(string reporterId, HttpContext context, Reporters reporters, MailSenders senders, ReporterQuota quota, OpsAudit audit)
    {
        Update? body;
        try
        {
            body = await context.Request.ReadFromJsonAsync<Update>(context.RequestAborted);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Problems.BadRequest($"Body must be JSON: {{\"wantsFeedback\":true,\"contactEmail\":\"...\",\"actor\":\"...\",\"reason\":\"...\"}} ({ex.Message})");
        }

        var (intent, problem) = OpsIntent.Validate(context.Request, body?.Actor, body?.Reason, reasonRequired: false);
        if (intent is null)
        {
            return problem!;
        }

        if (body?.WantsFeedback is null && body?.ContactEmail is null && body?.Limits is null or { IsEmpty: true } && body?.MailSenders is null)
        {
            return Problems.BadRequest("Give 'wantsFeedback' (true or false), 'contactEmail', 'limits' ({\"reportsPerMinute\":…,\"bytesPerDay\":…,\"eventsPerDay\":…}) or 'mailSenders' ([\"reports@feed.example\", \"@feed.example\"]): they are the settings this route changes.");
        }

        var (mailSenders, sendersProblem) = MailSendersFrom(body.MailSenders);
        if (sendersProblem is not null)
        {
            return sendersProblem;
        }

        if (mailSenders is not null && await senders.TakenAsync(reporterId, mailSenders, context.RequestAborted) is { } taken)
        {
            return SenderTaken(taken);
        }

        if (body.Limits?.Problem() is { } limitsProblem)
        {
            return Problems.BadRequest(limitsProblem + ".");
        }

        if (body.ContactEmail is { } email && ContactAddress.Problem(email) is { } addressProblem)
        {
            return BadAddress(email, addressProblem);
        }

        var reporter = await reporters.UpdateAsync(reporterId, body.WantsFeedback, body.ContactEmail, context.RequestAborted, body.Limits);
        if (reporter is null)
        {
            return Problems.NotFound($"No reporter '{reporterId}'.");
        }

        if (mailSenders is not null)
        {
            reporter = await reporters.SetMailSendersAsync(reporterId, mailSenders, senders, context.RequestAborted) ?? reporter;
        }

        var changes = new List<string>();
        if (body.WantsFeedback is { } wantsFeedback)
        {
            changes.Add($"wantsFeedback={(wantsFeedback ? "true" : "false")}");
        }

        if (body.ContactEmail is not null)
        {
            changes.Add($"contactEmail={body.ContactEmail}");
        }

        if (body.Limits is { } limits)
        {
            changes.AddRange(LimitNames(limits.ReportsPerMinute, limits.BytesPerDay, limits.EventsPerDay).Select(l => $"{l.Name}={l.Value}"));
        }

        if (mailSenders is not null)
        {
            changes.Add($"mailSenders={string.Join(' ', mailSenders)}");
        }

        var action = body.ContactEmail is null && body.Limits is null && mailSenders is null ? "reporter-feedback" : "reporter-update";
        await audit.RecordAsync(action, reporterId, intent, string.Join("; ", changes), context.RequestAborted);
        return Results.Json(View(reporter, quota));
    }

    /// <summary>The senders given, normalized and distinct (null: not given), or a 400 naming the bad one.</summary>
    private static (List<string>? Senders, IResult? Problem) MailSendersFrom(List<string>? given)
    {
        if (given is null)
        {
            return (null, null);
        }

        if (given.Count > MailSenders.MaxSendersPerReporter)
        {
            return (null, Problems.BadRequest($"'mailSenders' holds at most {MailSenders.MaxSendersPerReporter} addresses or domains."));
        }

        var senders = new List<string>();
        foreach (var sender in given)
        {
            var normalized = MailSenders.Normalize(sender ?? "");
            if (MailSenders.Problem(normalized) is { } problem)
            {
                return (null, Problems.Of(StatusCodes.Status400BadRequest, "Bad request", $"'mailSenders' entry '{ContactAddress.Shown(sender)}' {problem}.",
                    new Dictionary<string, object?> { ["field"] = "mailSenders" }));
            }

            if (!senders.Contains(normalized, StringComparer.Ordinal))
            {
                senders.Add(normalized);
            }
        }

        return (senders, null);
    }

    private static IResult SenderTaken((string Sender, string ReporterId) taken) =>
        Problems.Of(StatusCodes.Status409Conflict, "Conflict", $"'mailSenders' entry '{taken.Sender}' is already reporter {taken.ReporterId}'s; take it from there first.",
            new Dictionary<string, object?> { ["field"] = "mailSenders", ["reporterId"] = taken.ReporterId });

    /// <summary>400 naming the field, with the value quoted safely (control characters escaped).</summary>
    private static IResult BadAddress(string email, string problem) =>
        Problems.Of(StatusCodes.Status400BadRequest, "Bad request", $"'contactEmail' '{ContactAddress.Shown(email)}' {problem}.",
            new Dictionary<string, object?> { ["field"] = "contactEmail" });

    /// <summary>The limits in force, and which of them ops set for this reporter (the others are the desk's defaults).</summary>
    private static object LimitsView(ReporterEntity r, ReporterQuota quota)
    {
        var limits = quota.LimitsOf(r);
        var own = LimitNames(r.ReportsPerMinute, r.BytesPerDay, r.EventsPerDay).Select(l => l.Name);
        return new { reportsPerMinute = limits.ReportsPerMinute, bytesPerDay = limits.BytesPerDay, eventsPerDay = limits.EventsPerDay, own };
    }

    /// <summary>The limits given (not null), by their JSON names.</summary>
    private static IEnumerable<(string Name, long Value)> LimitNames(int? reportsPerMinute, long? bytesPerDay, long? eventsPerDay)
    {
        if (reportsPerMinute is { } perMinute)
        {
            yield return ("reportsPerMinute", perMinute);
        }

        if (bytesPerDay is { } bytes)
        {
            yield return ("bytesPerDay", bytes);
        }

        if (eventsPerDay is { } events)
        {
            yield return ("eventsPerDay", events);
        }
    }

    // Never the key nor its hash: the hash is enough to look a key up in the key rows.
    private static object View(ReporterEntity r, ReporterQuota quota, AbuseDesk.Domain.Intake.ReporterUsage? usage = null) => new
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
        limits = LimitsView(r, quota),
        mailSenders = r.MailSenderList(),
        usage = usage is null ? null : new
        {
            reportsThisMinute = usage.MinuteReports,
            day = usage.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            reportsToday = usage.DayReports,
            bytesToday = usage.DayBytes,
            eventsToday = usage.DayEvents,
        },
    };
}

/// <summary>POST /api/ops/reporters</summary>
public sealed class CreateReporter(OpsEndpoint endpoint, Reporters reporters, MailSenders senders, OpsAudit audit)
{
    [Function(nameof(CreateReporter))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/ops/reporters")] HttpRequest request) =>
        endpoint.RunAsync(request, () => ReporterRoutes.CreateAsync(request.HttpContext, reporters, senders, audit));
}

/// <summary>GET /api/ops/reporters</summary>
public sealed class ListReporters(OpsEndpoint endpoint, Reporters reporters, ReporterQuota quota)
{
    [Function(nameof(ListReporters))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/reporters")] HttpRequest request) =>
        endpoint.RunAsync(request, () => ReporterRoutes.ListAsync(request.HttpContext, reporters, quota));
}

/// <summary>GET /api/ops/reporters/{reporterId}</summary>
public sealed class GetReporter(OpsEndpoint endpoint, Reporters reporters, ReporterQuota quota)
{
    [Function(nameof(GetReporter))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/reporters/{reporterId}")] HttpRequest request, string reporterId) =>
        endpoint.RunAsync(request, () => ReporterRoutes.GetAsync(reporterId, request.HttpContext, reporters, quota));
}

/// <summary>POST /api/ops/reporters/{reporterId}/revoke</summary>
public sealed class RevokeReporter(OpsEndpoint endpoint, Reporters reporters, ReporterQuota quota, OpsAudit audit)
{
    [Function(nameof(RevokeReporter))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/ops/reporters/{reporterId}/revoke")] HttpRequest request, string reporterId) =>
        endpoint.RunAsync(request, () => ReporterRoutes.RevokeAsync(reporterId, request.HttpContext, reporters, quota, audit));
}

/// <summary>PUT /api/ops/reporters/{reporterId}</summary>
public sealed class UpdateReporter(OpsEndpoint endpoint, Reporters reporters, MailSenders senders, ReporterQuota quota, OpsAudit audit)
{
    [Function(nameof(UpdateReporter))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/ops/reporters/{reporterId}")] HttpRequest request, string reporterId) =>
        endpoint.RunAsync(request, () => ReporterRoutes.UpdateAsync(reporterId, request.HttpContext, reporters, senders, quota, audit));
}
