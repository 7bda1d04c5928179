using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Health;

/// <summary>GET /api/health: 200 once storage answers, 503 problem+json while it does not.</summary>
public sealed class GetHealth(HttpEndpoint endpoint, DeskStorage storage)
{
    [Function(nameof(GetHealth))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/health")] HttpRequest request) =>
        endpoint.RunAsync(request, () => CheckAsync(request.HttpContext.RequestAborted));

    private async Task<IResult> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in storage.Reports.QueryAsync<Azure.Data.Tables.TableEntity>(maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken).AsPages(pageSizeHint: 1))
            {
                break;
            }

            return Results.Json(new { status = "ok" });
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or AggregateException)
        {
            return Problems.Of(StatusCodes.Status503ServiceUnavailable, "Storage unreachable", ex.Message);
        }
    }
}
