using System.Globalization;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Hosting;

namespace AbuseDesk.Functions.Ops;

/// <summary>
/// A case's full history as a file, for a complaint, a court or a customer's lawyer: JSON (case, history, events
/// summary) or CSV (one row per history entry, safe to open in a spreadsheet).
/// </summary>
public static class CaseExportRoutes
{
    public static readonly string[] CsvHeader = ["at", "what", "actor", "rule", "detail", "safeties", "version"];


    internal static async Task<IResult> ExportAsync(string caseId, HttpContext context, CaseQueries queries, TimeProvider clock)
    {
        var format = context.Request.Query["format"].FirstOrDefault() ?? "json";
        if (format is not ("json" or "csv"))
        {
            return Problems.BadRequest($"'format' '{format}' must be json or csv.");
        }

        // Every kept event: the case's cap bounds them (the rest are counted on the case row).
        var detail = await queries.DetailAsync(caseId, context.RequestAborted, evidencePage: int.MaxValue);
        if (detail is null)
        {
            return Problems.NotFound($"No case '{caseId}'.");
        }

        var history = detail.History.OrderBy(h => h.RowKey, StringComparer.Ordinal).ToList();
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"case-{caseId}.{format}\"";
        if (format == "csv")
        {
            var csv = SpreadsheetCsv.Table(CsvHeader, history.Select(h => new[]
            {
                h.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                h.What,
                h.Actor,
                h.Rule,
                h.Detail,
                h.Safeties?.Replace('\n', ';'),
                h.Version.ToString(CultureInfo.InvariantCulture),
            }));
            return Results.Text(csv, "text/csv; charset=utf-8");
        }

        var c = detail.Case;
        var events = detail.Evidence.Items;
        var body = OpsFunction.Summary(c);
        body["contactEmail"] = c.ContactEmail;
        body["customerSince"] = c.CustomerSince;
        body["version"] = c.Version;
        body["notifiedAt"] = c.NotifiedAt;
        body["resolution"] = c.Resolution;
        body["resolutionNote"] = c.ResolutionNote;
        body["resolvedAt"] = c.ResolvedAt;
        body["exportedAt"] = clock.GetUtcNow();
        body["history"] = history.Select(h => new
        {
            at = h.At,
            what = h.What,
            actor = h.Actor,
            rule = h.Rule,
            detail = h.Detail,
            safeties = h.Safeties?.Split('\n') ?? [],
            version = h.Version,
        });
        body["eventsSummary"] = new
        {
            total = c.EventCount,
            listed = events.Count,
            counted = c.EventCount - c.EvidenceKept,
            firstOccurredAt = c.FirstEventAt ?? events.Min(e => e.OccurredAt),
            lastOccurredAt = c.LastEventAt ?? events.Max(e => e.OccurredAt),
            reportTypes = events.GroupBy(e => e.ReportType).OrderByDescending(g => g.Count()).Select(g => new { reportType = g.Key, events = g.Count() }),
            reports = events.Select(e => e.EventId[..e.EventId.LastIndexOf('-')]).Distinct(StringComparer.Ordinal),
            ips = events.Select(e => e.Ip).Where(ip => ip is not null).Distinct(StringComparer.Ordinal),
            urls = events.Select(e => e.Url).Where(url => url is not null).Distinct(StringComparer.Ordinal).Take(100),
        };
        body["mails"] = detail.Mails.Select(m => new { kind = m.Kind, to = m.To, subject = m.Subject, status = m.Status, sentAt = m.SentAt });
        return Results.Json(body);
    }
}

/// <summary>GET /api/ops/cases/{caseId}/export</summary>
public sealed class ExportCase(OpsEndpoint endpoint, CaseQueries queries, TimeProvider clock)
{
    [Function(nameof(ExportCase))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/cases/{caseId}/export")] HttpRequest request, string caseId) =>
        endpoint.RunAsync(request, () => CaseExportRoutes.ExportAsync(caseId, request.HttpContext, queries, clock));
}
