namespace AbuseDesk.Functions.Hosting;

/// <summary>
/// What every HTTP function shares, run inside the function so the Functions host and the dev host behave the
/// same: HSTS over HTTPS (<see cref="TransportSecurity"/>), a log scope naming the request without its secrets
/// (<see cref="Redacted"/>), a body the client broke becomes its 4xx (<see cref="ClientFault"/>), logged as information only; an
/// unexpected failure becomes a problem+json 500 that names no internals (the exception goes to the log), never
/// the host's empty 500.
/// </summary>
public sealed class HttpEndpoint(ILogger<HttpEndpoint> logger)
{
    public Task<IResult> RunAsync(HttpRequest request, Func<Task<IResult>> handler) =>
        RunAsync(request, handler, fault => Problems.Of(fault.Status, fault.Title, fault.Detail));

    /// <param name="clientFault">How this kind of route answers a client's broken request (the portal: with a page).</param>
    public async Task<IResult> RunAsync(HttpRequest request, Func<Task<IResult>> handler, Func<ClientFault, IResult> clientFault)
    {
        TransportSecurity.Apply(request.HttpContext);
        // Every line logged while the handler runs names the request, the portal token reduced to a marker: the
        // host's own request scope and request lines (which hold it whole) are switched off in DeskTelemetry.
        var path = Redacted.Path(request.Path);
        using var scope = logger.BeginScope("{Method} {RequestPath}", request.Method, path);
        try
        {
            return await handler();
        }
        catch (Exception ex) when (ClientFault.Of(ex, request.HttpContext) is { } fault)
        {
            logger.LogInformation("{Method} {Path}: {Status} {Title} ({Reason})", request.Method, path, fault.Status, fault.Title, ex.Message);
            return clientFault(fault);
        }
        catch (Exception ex) when (ClientFault.IsClientGone(ex, request.HttpContext))
        {
            // The client went away; nobody reads the answer.
            return Results.StatusCode(StatusCodes.Status499ClientClosedRequest);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "{Method} {Path} failed", request.Method, path);
            return Problems.Of(StatusCodes.Status500InternalServerError, "Internal error",
                "The request could not be completed; it was logged for the abuse desk's operators.");
        }
    }

    public Task<IResult> RunAsync(HttpRequest request, Func<IResult> handler) =>
        RunAsync(request, () => Task.FromResult(handler()));
}
