using AbuseDesk.Functions.Hosting;

namespace AbuseDesk.Functions.Portal;

/// <summary>
/// Every /portal function goes through here. The token is in the URL, so answers never leak it onwards (no
/// referrer, no caching), the page runs no script at all (evidence can then never run as code), and the rate
/// limits apply before any work, with the headers on the 429 page too.
/// </summary>
public sealed class PortalEndpoint(PortalRateLimits limits, HttpEndpoint http)
{
    public Task<IResult> RunAsync(HttpRequest request, Func<Task<IResult>> handler)
    {
        var headers = request.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers.CacheControl = "no-store";
        // The 429 goes through the shared endpoint too, so it carries the same transport headers.
        return http.RunAsync(request, () => limits.Refusal(request.HttpContext) is { } refusal
            ? Task.FromResult(refusal)
            : handler(), Page);
    }

    /// <summary>A body the client broke, answered as the customer's browser can show it: the portal's own page.</summary>
    private static IResult Page(ClientFault fault) => fault.Status switch
    {
        StatusCodes.Status408RequestTimeout => PortalFunction.Html(CasePage.Message("Form took too long",
            "Your form did not arrive in time, so nothing was recorded. Open the case page again from the link in your mail and send it from there."), fault.Status),
        StatusCodes.Status413PayloadTooLarge => PortalFunction.Html(CasePage.Message("Form too large", PortalFunction.TooLargeText), fault.Status),
        _ => PortalFunction.Html(CasePage.Message("Form not accepted", PortalFunction.NotAcceptedText), fault.Status),
    };

    public Task<IResult> RunAsync(HttpRequest request, Func<IResult> handler) =>
        RunAsync(request, () => Task.FromResult(handler()));
}
