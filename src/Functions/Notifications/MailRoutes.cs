using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Ops;
using AbuseDesk.Functions.Storage;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Notifications;

/// <summary>Ops routes for mail: which mails could not be delivered, and why.</summary>
public static class MailRoutes
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;


    /// <summary>
    /// GET /api/ops/mail/failed?limit=&amp;continuation= → failed mails across all cases. A filtered scan of the
    /// cases table: failures are rare and this is an ops page, not a hot path.
    /// </summary>
    internal static async Task<IResult> ListFailedAsync(HttpContext context, DeskStorage storage)
    {
        var query = context.Request.Query;
        var limit = DefaultLimit;
        if (query["limit"].FirstOrDefault() is { } text && (!int.TryParse(text, out limit) || limit is < 1 or > MaxLimit))
        {
            return Problems.BadRequest($"'limit' must be a number from 1 to {MaxLimit}.");
        }

        var filter = TableClient.CreateQueryFilter(
            $"RowKey ge {MailEntity.Prefix} and RowKey lt {KeyRange.After(MailEntity.Prefix)} and Status eq {SendEmail.Failed}");
        var mails = new List<object>();
        string? continuation = null;
        await foreach (var page in storage.Cases.QueryAsync<MailEntity>(filter, maxPerPage: limit, cancellationToken: context.RequestAborted)
                           .AsPages(query["continuation"].FirstOrDefault(), limit))
        {
            mails.AddRange(page.Values.Select(m => new
            {
                caseId = m.PartitionKey,
                mailRow = m.RowKey,
                kind = m.Kind,
                to = m.To,
                subject = m.Subject,
                lastError = m.LastError,
                attempts = m.Attempts,
                failedAt = m.FailedAt,
            }));
            continuation = page.ContinuationToken;
            // A scan page can come back short or empty with a continuation; keep reading until the page is full.
            if (mails.Count >= limit || continuation is null)
            {
                break;
            }
        }

        return Results.Json(new { mails, continuation });
    }
}

/// <summary>GET /api/ops/mail/failed</summary>
public sealed class ListFailedMails(OpsEndpoint endpoint, DeskStorage storage)
{
    [Function(nameof(ListFailedMails))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/mail/failed")] HttpRequest request) =>
        endpoint.RunAsync(request, () => MailRoutes.ListFailedAsync(request.HttpContext, storage));
}
