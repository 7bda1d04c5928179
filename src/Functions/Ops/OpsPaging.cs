using AbuseDesk.Functions.Hosting;

namespace AbuseDesk.Functions.Ops;

/// <summary>The <c>limit</c> and <c>continuation</c> query parameters every ops list takes, like /api/ops/cases.</summary>
public sealed record OpsPaging(int Limit, string? Continuation)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static (OpsPaging? Paging, IResult? Problem) From(HttpRequest request, int max = MaxLimit)
    {
        var limit = Math.Min(DefaultLimit, max);
        if (request.Query["limit"].FirstOrDefault() is { } text && (!int.TryParse(text, out limit) || limit < 1 || limit > max))
        {
            return (null, Problems.BadRequest($"'limit' must be a whole number from 1 to {max}."));
        }

        var continuation = request.Query["continuation"].FirstOrDefault();
        return (new OpsPaging(limit, string.IsNullOrEmpty(continuation) ? null : continuation), null);
    }
}
