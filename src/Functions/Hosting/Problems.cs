namespace AbuseDesk.Functions.Hosting;

/// <summary>RFC 9457 problem responses with a clear title and detail, never a stack trace.</summary>
public static class Problems
{
    public static IResult Of(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(title: title, detail: detail, statusCode: status, extensions: extensions);

    public static IResult BadRequest(string detail) => Of(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static IResult Unauthorized(string detail) => Of(StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    public static IResult NotFound(string detail) => Of(StatusCodes.Status404NotFound, "Not found", detail);
}
