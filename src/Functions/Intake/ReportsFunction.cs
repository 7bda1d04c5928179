using System.Net.Http.Headers;
using AbuseDesk.Domain.Intake;
using AbuseDesk.Functions.Feedback;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Ops;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Intake;

/// <summary>The "Reports" HTTP function: reporters submit raw reports and read their status.</summary>
public static class ReportsFunction
{
    private static readonly string[] Accepted = ["message/rfc822", "application/json", "text/csv"];


    internal static async Task<IResult> SubmitAsync(HttpContext context, Reporters reporters, ReporterQuota quota, AcceptReport accept, IOptions<AbuseDeskOptions> options)
    {
        var request = context.Request;
        var reporterId = await reporters.AuthenticateAsync(request, context.RequestAborted);
        if (reporterId is null)
        {
            return Problems.Unauthorized("Send 'Authorization: Bearer <reporter key>' with a key issued by the abuse desk.");
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || !Accepted.Contains(mediaType.MediaType, StringComparer.OrdinalIgnoreCase))
        {
            return Problems.Of(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"Content-Type '{request.ContentType}' is not accepted; use one of {string.Join(", ", Accepted)}.");
        }

        var limit = options.Value.Intake.MaxReportBytes;
        if (request.ContentLength > limit)
        {
            return TooLarge(limit);
        }

        var limits = quota.LimitsOf(await reporters.FindAsync(reporterId, context.RequestAborted));
        if (request.ContentLength > limits.BytesPerDay)
        {
            return TooLarge(limits.BytesPerDay, "this reporter's daily allowance");
        }

        var body = await BoundedBody.ReadAsync(request.Body, limit, context.RequestAborted);
        if (body is null)
        {
            return TooLarge(limit);
        }

        if (body.Value.Length > limits.BytesPerDay)
        {
            return TooLarge(limits.BytesPerDay, "this reporter's daily allowance");
        }

        if (await quota.AdmitAsync(reporterId, limits, body.Value.Length, context.RequestAborted) is { } refusal)
        {
            // A report the desk already holds is answered as the duplicate it is: a sender's retry is never refused its id.
            return await accept.KnownAsync(reporterId, body.Value, context.RequestAborted) is { } known
                ? Results.Json(new { reportId = known.ReportId, duplicate = true }, statusCode: StatusCodes.Status200OK)
                : TooMany(context, refusal);
        }

        var fileName = ContentDispositionHeaderValue.TryParse(request.Headers.ContentDisposition, out var disposition)
            ? (disposition.FileNameStar ?? disposition.FileName)?.Trim('"')
            : null;
        var accepted = await accept.AcceptAsync(reporterId, body.Value, mediaType.MediaType!.ToLowerInvariant(), fileName, request.Query["report"].FirstOrDefault(), context.RequestAborted);
        var payload = new { reportId = accepted.ReportId, duplicate = accepted.Duplicate };
        var location = $"/api/reports/{accepted.ReportId}";
        return accepted.Duplicate
            ? Results.Json(payload, statusCode: StatusCodes.Status200OK)
            : Results.Accepted(location, payload);
    }

    internal static async Task<IResult> GetStatusAsync(string reportId, HttpContext context, Reporters reporters, ReportQueries queries, ReportEventOutcomes outcomes, OpsKey opsKey)
    {
        var isOps = opsKey.IsValid(context.Request);
        var reporterId = isOps ? null : await reporters.AuthenticateAsync(context.Request, context.RequestAborted);
        if (!isOps && reporterId is null)
        {
            return Problems.Unauthorized("Send the reporter key that submitted the report, or the ops key.");
        }

        var report = await queries.FindAsync(reportId, context.RequestAborted);
        // Another reporter's report is answered exactly like a missing one: ids reveal nothing.
        if (report is null || (!isOps && report.ReporterId != reporterId))
        {
            return Problems.NotFound($"No report '{reportId}' for this key.");
        }

        if (ReportEventOutcomes.Paging(context.Request.Query, out var problem) is not var (from, limit))
        {
            return Problems.BadRequest(problem!);
        }

        // What became of each event, a page at a time; nothing in it names the customer (docs/feedback.md).
        var body = ReportQueries.Status(report);
        var page = await outcomes.ReadAsync(report.PartitionKey, from, limit, context.RequestAborted);
        body["events"] = page.Events;
        body["truncated"] = page.Truncated;
        body["nextFrom"] = page.NextFrom;
        return Results.Json(body);
    }

    private static IResult TooLarge(long limit, string? why = null) =>
        Problems.Of(StatusCodes.Status413PayloadTooLarge, "Report too large", why is null ? $"Reports are limited to {limit} bytes." : $"Reports are limited to {limit} bytes ({why}).");

    private static IResult TooMany(HttpContext context, LimitRefusal refusal)
    {
        var seconds = (long)refusal.RetryAfter.TotalSeconds;
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.Of(StatusCodes.Status429TooManyRequests, "Reporter limit reached", $"Not accepted: {refusal.Detail}. Try again in {seconds} s.",
            new Dictionary<string, object?> { ["limit"] = refusal.Limit, ["retryAfter"] = seconds });
    }
}

/// <summary>POST /api/reports</summary>
public sealed class SubmitReport(HttpEndpoint endpoint, Reporters reporters, ReporterQuota quota, AcceptReport accept, IOptions<AbuseDeskOptions> options)
{
    [Function(nameof(SubmitReport))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/reports")] HttpRequest request) =>
        endpoint.RunAsync(request, () => ReportsFunction.SubmitAsync(request.HttpContext, reporters, quota, accept, options));
}

/// <summary>GET /api/reports/{reportId}</summary>
public sealed class GetReportStatus(HttpEndpoint endpoint, Reporters reporters, ReportQueries queries, ReportEventOutcomes outcomes, OpsKey opsKey)
{
    [Function(nameof(GetReportStatus))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/reports/{reportId}")] HttpRequest request, string reportId) =>
        endpoint.RunAsync(request, () => ReportsFunction.GetStatusAsync(reportId, request.HttpContext, reporters, queries, outcomes, opsKey));
}
