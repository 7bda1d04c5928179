using Microsoft.DurableTask.Client;
using System.Text.Json;
using AbuseDesk.Domain.Cases;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Intake;
using AbuseDesk.Functions.Notifications;
using AbuseDesk.Functions.Ownership;

namespace AbuseDesk.Functions.Ops;

/// <summary>The "Ops" HTTP function: the desk's own routes, all behind the ops key.</summary>
public static class OpsFunction
{
    internal static async Task<IResult> GetReportAsync(string reportId, HttpContext context, ReportQueries queries)
    {
        var report = await queries.FindAsync(reportId, context.RequestAborted);
        if (report is null)
        {
            return Problems.NotFound($"No report '{reportId}'.");
        }

        var events = await queries.EventsAsync(reportId, 10_000, context.RequestAborted);
        var body = ReportQueries.Status(report);
        body["reporterId"] = report.ReporterId;
        body["contentType"] = report.ContentType;
        body["size"] = report.Size;
        body["events"] = events.Select(e => new
        {
            eventId = e.EventId,
            ip = e.Ip,
            port = e.Port,
            url = e.Url,
            abuseClass = e.AbuseClass,
            reportType = e.ReportType,
            occurredAt = e.OccurredAt,
            caseId = e.CaseId,
            customerId = e.CustomerId,
            unroutedReason = e.UnroutedReason,
            lowConfidence = e.LowConfidence,
            severity = e.Severity,
        });
        // Where URL-only events went and why: each host's DNS answer and when it was given.
        body["hosts"] = (await queries.HostAnswersAsync(reportId, context.RequestAborted)).Values
            .Select(a => new { host = a.Host, addresses = a.Addresses, resolvedAt = a.ResolvedAt, error = a.Error });
        return Results.Json(body);
    }

    internal static async Task<IResult> ReparseAsync(string reportId, HttpContext context, ReparseReport reparse, OpsAudit audit)
    {
        var (intent, problem) = await OpsIntent.ReadAsync(context, reasonRequired: false);
        if (intent is null)
        {
            return problem!;
        }

        if (reportId.Length is 0 or > 64 || !reportId.All(char.IsAsciiLetterOrDigit))
        {
            return Problems.NotFound($"No report '{reportId}'.");
        }

        var report = await reparse.RunAsync(reportId, context.RequestAborted);
        if (report is null)
        {
            return Problems.NotFound($"No report '{reportId}'.");
        }

        await audit.RecordAsync("report-reparse", reportId, intent, $"reparse #{report.Reparses}", context.RequestAborted);
        return Results.Accepted($"/api/ops/reports/{reportId}", new { reportId, status = report.Status, reparses = report.Reparses });
    }

    internal static async Task<IResult> ListCasesAsync(HttpContext context, CaseQueries queries)
    {
        var query = context.Request.Query;
        var limit = 100;
        if (query["limit"].FirstOrDefault() is { } limitText && (!int.TryParse(limitText, out limit) || limit is < 1 or > 1000))
        {
            return Problems.BadRequest("'limit' must be a whole number from 1 to 1000.");
        }

        var status = query["status"].FirstOrDefault();
        if (status is not null && !CaseStatuses.TryParse(status, out _))
        {
            return Problems.BadRequest($"'status' '{status}' is not one of {string.Join(", ", Enum.GetValues<CaseStatus>().Select(s => s.ToWireName()))}.");
        }

        var abuseClass = query["abuseClass"].FirstOrDefault();
        if (abuseClass is not null && !Domain.Parsing.AbuseClasses.TryParse(abuseClass, out _))
        {
            return Problems.BadRequest($"'abuseClass' '{abuseClass}' is not one of {string.Join(", ", Domain.Parsing.AbuseClasses.WireNames)}.");
        }

        var filter = new CaseQueries.CaseFilter(status, query["customerId"].FirstOrDefault(), abuseClass,
            string.Equals(query["overdue"].FirstOrDefault(), "true", StringComparison.OrdinalIgnoreCase), limit, query["continuation"].FirstOrDefault());
        var (cases, continuation) = await queries.ListAsync(filter, context.RequestAborted);
        return Results.Json(new { cases = cases.Select(Summary), continuation });
    }

    /// <summary>Ops' default evidence page: larger than the portal's, as ops read it with tools.</summary>
    internal const int EvidencePageSize = 100;

    internal static async Task<IResult> GetCaseAsync(string caseId, HttpContext context, CaseQueries queries, DurableTaskClient durable)
    {
        var query = context.Request.Query;
        EvidenceCursor? from = null;
        if (query["evidencePage"].FirstOrDefault() is { Length: > 0 } page)
        {
            if (!EvidenceCursor.TryParse(page, out var cursor))
            {
                return Problems.BadRequest("'evidencePage' must be the 'evidence.next' value of an earlier answer.");
            }

            from = cursor;
        }

        var limit = EvidencePageSize;
        if (query["evidenceLimit"].FirstOrDefault() is { } limitText && (!int.TryParse(limitText, out limit) || limit is < 1 or > CaseQueries.MaxEvidencePage))
        {
            return Problems.BadRequest($"'evidenceLimit' must be a whole number from 1 to {CaseQueries.MaxEvidencePage}.");
        }

        var detail = await queries.DetailAsync(caseId, context.RequestAborted, from, limit);
        if (detail is null)
        {
            return Problems.NotFound($"No case '{caseId}'.");
        }

        var state = detail.Case.ToState();
        var body = Summary(detail.Case);
        body["contactEmail"] = detail.Case.ContactEmail;
        body["version"] = detail.Case.Version;
        body["notifiedAt"] = detail.Case.NotifiedAt;
        body["resolution"] = detail.Case.Resolution;
        body["resolutionNote"] = detail.Case.ResolutionNote;
        body["resolvedAt"] = detail.Case.ResolvedAt;
        body["allowedActions"] = CaseStateMachine.OpsActionsAllowed(state);
        body["firstEventAt"] = detail.Case.FirstEventAt;
        // One page of the evidence rows, newest first; evidence.next asks for the next (older) one.
        body["events"] = detail.Evidence.Items.Select(Event);
        body["evidence"] = new
        {
            total = detail.Case.EventCount,
            kept = detail.Case.EvidenceKept,
            counted = detail.Case.EventCount - detail.Case.EvidenceKept,
            firstSeenAt = detail.Case.FirstEventAt,
            lastSeenAt = detail.Case.LastEventAt,
            page = detail.Evidence.From?.ToString(),
            pageSize = limit,
            next = detail.Evidence.Next?.ToString(),
            sample = CaseEvidence.Unpack(detail.Case.EvidenceSample).Select(Event),
        };
        body["history"] = detail.History.Select(h => new
        {
            at = h.At,
            what = h.What,
            actor = h.Actor,
            rule = h.Rule,
            detail = h.Detail,
            safeties = h.Safeties?.Split('\n') ?? [],
            version = h.Version,
        });
        body["orchestration"] = await OrchestrationRoutes.OfCaseAsync(durable, detail.Case, context.RequestAborted);
        body["mails"] = detail.Mails.Select(m => new { kind = m.Kind, to = m.To, subject = m.Subject, status = m.Status, sentAt = m.SentAt, attempts = m.Attempts, lastError = m.LastError });
        return Results.Json(body);
    }

    private sealed record ActionRequest(string? Action, string? Actor, string? Reason);

    internal static async Task<IResult> ApplyActionAsync(string caseId, HttpContext context, CaseInbox inbox, DurableTaskClient durable)
    {
        ActionRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync<ActionRequest>(context.RequestAborted);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Problems.BadRequest($"Body must be JSON: {{\"action\":\"...\",\"actor\":\"...\",\"reason\":\"...\"}} ({ex.Message})");
        }

        var actor = OpsActor.From(context.Request, request?.Actor);
        if (string.IsNullOrWhiteSpace(request?.Action))
        {
            return Problems.BadRequest("'action' is required.");
        }

        if (actor is null)
        {
            return Problems.BadRequest("'actor' is required (1-200 characters): every ops action records who did it. With App Service authentication it comes from the signed-in principal.");
        }

        if (request.Reason is { Length: > OpsIntent.MaxReasonLength })
        {
            return Problems.BadRequest($"'reason' is limited to {OpsIntent.MaxReasonLength} characters.");
        }

        var answer = await inbox.SubmitAsync(durable, caseId, new OpsAction(request.Action.Trim(), actor, request.Reason), context.RequestAborted);
        return answer switch
        {
            null => Problems.NotFound($"No case '{caseId}'."),
            { Outcome: CaseStep.Refused } => Problems.Of(StatusCodes.Status409Conflict, "Action not allowed", answer.Reason ?? "",
                new Dictionary<string, object?> { ["allowedActions"] = answer.Allowed }),
            // Taken, and the case's orchestration has not answered yet (a busy engine): it will be carried out.
            { IsPending: true } => Results.Json(new { caseId, status = answer.Status, version = answer.Version, pending = true }, statusCode: StatusCodes.Status202Accepted),
            _ => Results.Json(new { caseId, status = answer.Status, version = answer.Version }),
        };
    }

    private static object Event(EvidenceItem e) =>
        new { eventId = e.EventId, ip = e.Ip, port = e.Port, url = e.Url, reportType = e.ReportType, severity = e.Severity, occurredAt = e.OccurredAt, evidence = e.Evidence, lowConfidence = e.LowConfidence };

    internal static Dictionary<string, object?> Summary(CaseEntity c) => new()
    {
        ["caseId"] = c.PartitionKey,
        ["customerId"] = c.CustomerId,
        ["resourceId"] = c.ResourceId,
        ["ip"] = c.Ip,
        ["abuseClass"] = c.AbuseClass,
        ["status"] = c.Status,
        ["eventCount"] = c.EventCount,
        ["openedAt"] = c.OpenedAt,
        ["deadline"] = c.Deadline,
        ["lastEventAt"] = c.LastEventAt,
    };
}

/// <summary>GET /api/ops/reports/{reportId}</summary>
public sealed class GetReportForOps(OpsEndpoint endpoint, ReportQueries queries)
{
    [Function(nameof(GetReportForOps))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/reports/{reportId}")] HttpRequest request, string reportId) =>
        endpoint.RunAsync(request, () => OpsFunction.GetReportAsync(reportId, request.HttpContext, queries));
}

/// <summary>POST /api/ops/reports/{reportId}/reparse</summary>
public sealed class ReparseReportNow(OpsEndpoint endpoint, ReparseReport reparse, OpsAudit audit)
{
    [Function(nameof(ReparseReportNow))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/ops/reports/{reportId}/reparse")] HttpRequest request, string reportId) =>
        endpoint.RunAsync(request, () => OpsFunction.ReparseAsync(reportId, request.HttpContext, reparse, audit));
}

/// <summary>GET /api/ops/cases</summary>
public sealed class ListCases(OpsEndpoint endpoint, CaseQueries queries)
{
    [Function(nameof(ListCases))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/cases")] HttpRequest request) =>
        endpoint.RunAsync(request, () => OpsFunction.ListCasesAsync(request.HttpContext, queries));
}

/// <summary>GET /api/ops/cases/{caseId}</summary>
public sealed class GetCase(OpsEndpoint endpoint, CaseQueries queries)
{
    [Function(nameof(GetCase))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/cases/{caseId}")] HttpRequest request, string caseId, [DurableClient] DurableTaskClient durable) =>
        endpoint.RunAsync(request, () => OpsFunction.GetCaseAsync(caseId, request.HttpContext, queries, durable));
}

/// <summary>POST /api/ops/cases/{caseId}/actions</summary>
public sealed class ApplyCaseAction(OpsEndpoint endpoint, CaseInbox inbox)
{
    [Function(nameof(ApplyCaseAction))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/ops/cases/{caseId}/actions")] HttpRequest request, string caseId, [DurableClient] DurableTaskClient durable) =>
        endpoint.RunAsync(request, () => OpsFunction.ApplyActionAsync(caseId, request.HttpContext, inbox, durable));
}
