namespace AbuseDesk.Functions.Hosting;

/// <summary>
/// What every HTTP function shares, run inside the function so the Functions host and the dev host behave the
/// same: an unexpected failure becomes a problem+json 500 that names no internals (the exception goes to the
/// log), never the host's empty 500.
/// </summary>
public sealed class HttpEndpoint(ILogger<HttpEndpoint> logger)
{
    public async Task<IResult> RunAsync(HttpRequest request, Func<Task<IResult>> handler)
    {
        try
        {
            return await handler();
        }
        catch (OperationCanceledException) when (request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody reads the answer.
            return Results.StatusCode(StatusCodes.Status499ClientClosedRequest);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "{Method} {Path} failed", request.Method, request.Path);
            return Problems.Of(StatusCodes.Status500InternalServerError, "Internal error",
                "The request could not be completed; it was logged for the abuse desk's operators.");
        }
    }

    public Task<IResult> RunAsync(HttpRequest request, Func<IResult> handler) =>
        RunAsync(request, () => Task.FromResult(handler()));
}
