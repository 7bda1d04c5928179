using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Health;

/// <summary>The "Health" HTTP function: 200 once storage answers.</summary>
public static class HealthFunction
{
    public static void MapHealth(this WebApplication app) =>
        app.MapGet("/api/health", async (DeskStorage storage, CancellationToken cancellationToken) =>
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
        });
}
