using System.Xml;
using AbuseDesk.Domain.Cases;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Intake;

namespace AbuseDesk.Functions.Ops;

/// <summary>
/// What waits for a person: escalated cases, suspensions awaiting approval, disputes, failed reports, inbox drops
/// the desk refused and where unrouted events come from; <c>GET /api/ops/queues</c> counts all of it and the storage queues.
/// </summary>
public static class WorkQueueRoutes
{
    private static readonly string[] CaseQueues = [CaseStatus.Escalated.ToWireName(), CaseStatus.SuspensionPending.ToWireName(), CaseStatus.Disputed.ToWireName()];


    internal static async Task<IResult> SummaryAsync(HttpContext context, WorkQueues work, PoisonQueues poison, RefusedDrops refused, MailboxState mailbox, Microsoft.Extensions.Options.IOptions<AbuseDeskOptions> options)
    {
        var mailboxStatus = await mailbox.StatusAsync(context.RequestAborted);
        var cases = await work.CaseCountsAsync(CaseQueues, context.RequestAborted);
        var failed = await work.FailedReportCountAsync(context.RequestAborted);
        var refusedDrops = await refused.CountAsync(WorkQueues.CountCap, context.RequestAborted);
        var storage = await poison.CountsAsync(context.RequestAborted);
        return Results.Json(new
        {
            work = new Dictionary<string, object>
            {
                [CaseQueues[0]] = cases[CaseQueues[0]],
                [CaseQueues[1]] = cases[CaseQueues[1]],
                [CaseQueues[2]] = cases[CaseQueues[2]],
                ["failed-reports"] = failed,
                ["refused-drops"] = refusedDrops,
                ["poison"] = storage.Where(q => q.Key.EndsWith("-poison", StringComparison.Ordinal)).Sum(q => q.Value),
            },
            countCap = WorkQueues.CountCap,
            mailbox = MailboxView(options.Value.Mailbox, mailboxStatus),
            // Approximate, as Azure Queue storage reports them.
            storageQueues = storage,
        });
    }

    /// <summary>
    /// The abuse mailbox in one line: "ok", "failing" (with since when and why), "not-configured" or "not-read-yet";
    /// the backlog left after the last read, and what was stored and refused since the app first read it.
    /// </summary>
    private static object MailboxView(MailboxOptions options, MailboxStatusEntity? status) => new
    {
        state = !options.Configured ? "not-configured" : status?.LastRunAt is null ? "not-read-yet" : status.FailingSince is null ? "ok" : "failing",
        mailbox = options.Configured ? $"{options.UserName}@{options.Host}:{options.Port}/{options.Folder}" : null,
        lastRunAt = status?.LastRunAt,
        lastSuccessAt = status?.LastSuccessAt,
        failingSince = status?.FailingSince,
        consecutiveFailures = status?.ConsecutiveFailures ?? 0,
        lastError = status?.LastError,
        backlog = status?.Backlog ?? 0,
        stored = status?.Stored ?? 0,
        refused = status?.Refused ?? 0,
    };

    /// <summary>GET /api/ops/queues/mailbox: the mailbox's status and the messages it refused, newest first.</summary>
    internal static async Task<IResult> MailboxAsync(HttpContext context, MailboxState mailbox, Microsoft.Extensions.Options.IOptions<AbuseDeskOptions> options)
    {
        var (paging, problem) = OpsPaging.From(context.Request);
        if (paging is null)
        {
            return problem!;
        }

        var status = await mailbox.StatusAsync(context.RequestAborted);
        var refusals = await mailbox.RefusalsAsync(paging.Limit, context.RequestAborted);
        return Results.Json(new
        {
            queue = "mailbox",
            status = MailboxView(options.Value.Mailbox, status),
            refused = refusals.Select(r => new { refusedAt = r.RefusedAt, from = r.From, subject = r.Subject, messageId = r.MessageId, size = r.Size, reason = r.Reason, folder = r.Folder }),
        });
    }

    internal static async Task<IResult> CasesAsync(string status, HttpContext context, CaseQueries queries)
    {
        if (!CaseQueues.Contains(status, StringComparer.Ordinal))
        {
            return Problems.NotFound($"No work queue '{status}'; there are {string.Join(", ", CaseQueues)}, failed-reports, ignored-reports, refused-drops, mailbox and unrouted.");
        }

        var (paging, problem) = OpsPaging.From(context.Request);
        if (paging is null)
        {
            return problem!;
        }

        var (cases, continuation) = await queries.ListAsync(new CaseQueries.CaseFilter(status, context.Request.Query["customerId"].FirstOrDefault(), null, false, paging.Limit, paging.Continuation), context.RequestAborted);
        return Results.Json(new { queue = status, cases = cases.Select(OpsFunction.Summary), continuation });
    }

    internal static Task<IResult> FailedReportsAsync(HttpContext context, WorkQueues work) =>
        ReportPageAsync(context, work.FailedReportsAsync, r => new
        {
            reportId = r.PartitionKey,
            reporterId = r.ReporterId,
            format = r.Format,
            contentType = r.ContentType,
            error = r.Error,
            receivedAt = r.ReceivedAt,
            reparses = r.Reparses,
        });

    /// <summary>Mails that are no report (bounces, auto-replies, ...), with why: to check that no real report is among them.</summary>
    internal static Task<IResult> IgnoredReportsAsync(HttpContext context, WorkQueues work) =>
        ReportPageAsync(context, work.IgnoredReportsAsync, r => new
        {
            reportId = r.PartitionKey,
            reporterId = r.ReporterId,
            ignoredReason = r.IgnoredReason,
            receivedAt = r.ReceivedAt,
            reparses = r.Reparses,
        });

    /// <summary>One page of a report queue, each report as <paramref name="view"/> shows it.</summary>
    private static async Task<IResult> ReportPageAsync(
        HttpContext context,
        Func<int, string?, CancellationToken, Task<(List<ReportEntity> Reports, string? Continuation)>> read,
        Func<ReportEntity, object> view)
    {
        var (paging, problem) = OpsPaging.From(context.Request);
        if (paging is null)
        {
            return problem!;
        }

        var (reports, continuation) = await read(paging.Limit, paging.Continuation, context.RequestAborted);
        return Results.Json(new { reports = reports.Select(view), continuation });
    }

    /// <summary>Inbox blobs not taken in (reporter unknown or revoked, no reporter folder), kept in reports-inbox-refused.</summary>
    internal static async Task<IResult> RefusedDropsAsync(HttpContext context, RefusedDrops refused)
    {
        var (paging, problem) = OpsPaging.From(context.Request);
        if (paging is null)
        {
            return problem!;
        }

        var (drops, continuation) = await refused.ListAsync(paging.Limit, paging.Continuation, context.RequestAborted);
        return Results.Json(new
        {
            container = RefusedDrops.Container,
            drops = drops.Select(d => new
            {
                name = d.Name,
                reporterId = d.ReporterId,
                file = d.File,
                reason = d.Reason,
                refusedAt = d.RefusedAt,
                size = d.Size,
                contentType = d.ContentType,
            }),
            continuation,
        });
    }

    internal static async Task<IResult> UnroutedAsync(HttpContext context, WorkQueues work, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var since = now.AddDays(-7);
        if (context.Request.Query["since"].FirstOrDefault() is { } text)
        {
            if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
            {
                since = at;
            }
            else if (TryDuration(text, out var window) && window > TimeSpan.Zero && window <= TimeSpan.FromDays(366))
            {
                since = now - window;
            }
            else
            {
                return Problems.BadRequest($"'since' '{text}' must be an ISO 8601 time (2026-11-20T00:00:00Z) or a duration back from now up to a year (P7D, PT12H).");
            }
        }

        var (reporters, sampled) = await work.UnroutedAsync(since, context.RequestAborted);
        return Results.Json(new
        {
            since,
            reasonsSampled = sampled,
            reporters = reporters.Select(r => new
            {
                reporterId = r.ReporterId,
                reports = r.Reports,
                unroutedEvents = r.Events,
                lastReceivedAt = r.LastReceivedAt,
                reasons = r.Reasons.OrderByDescending(x => x.Value).Select(x => new { reason = x.Key, events = x.Value }),
            }),
        });
    }

    private static bool TryDuration(string text, out TimeSpan duration)
    {
        try
        {
            duration = XmlConvert.ToTimeSpan(text);
            return true;
        }
        catch (FormatException)
        {
            duration = default;
            return false;
        }
    }
}

/// <summary>GET /api/ops/queues</summary>
public sealed class GetWorkQueues(OpsEndpoint endpoint, WorkQueues work, PoisonQueues poison, RefusedDrops refused, MailboxState mailbox, Microsoft.Extensions.Options.IOptions<AbuseDeskOptions> options)
{
    [Function(nameof(GetWorkQueues))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/queues")] HttpRequest request) =>
        endpoint.RunAsync(request, () => WorkQueueRoutes.SummaryAsync(request.HttpContext, work, poison, refused, mailbox, options));
}

/// <summary>
/// GET /api/ops/queues/{name}: one work queue. A single function, because the Functions host orders routes by
/// function name rather than by how specific they are, so "queues/unrouted" beside "queues/{status}" could go
/// to either.
/// </summary>
public sealed class GetWorkQueue(OpsEndpoint endpoint, WorkQueues work, RefusedDrops refused, MailboxState mailbox, Microsoft.Extensions.Options.IOptions<AbuseDeskOptions> options, CaseQueries queries, TimeProvider clock)
{
    [Function(nameof(GetWorkQueue))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/queues/{name}")] HttpRequest request, string name) =>
        endpoint.RunAsync(request, () => name switch
        {
            "failed-reports" => WorkQueueRoutes.FailedReportsAsync(request.HttpContext, work),
            "ignored-reports" => WorkQueueRoutes.IgnoredReportsAsync(request.HttpContext, work),
            "unrouted" => WorkQueueRoutes.UnroutedAsync(request.HttpContext, work, clock),
            "refused-drops" => WorkQueueRoutes.RefusedDropsAsync(request.HttpContext, refused),
            "mailbox" => WorkQueueRoutes.MailboxAsync(request.HttpContext, mailbox, options),
            _ => WorkQueueRoutes.CasesAsync(name, request.HttpContext, queries),
        });
}
