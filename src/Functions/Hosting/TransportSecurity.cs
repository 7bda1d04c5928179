namespace AbuseDesk.Functions.Hosting;

/// <summary>
/// HSTS: an answer given over HTTPS tells the browser to use nothing but HTTPS for this host for a year, so a portal
/// link (a credential in the URL) is never followed over plain HTTP after a first visit. Decided from
/// Request.IsHttps: in Azure the front end ends TLS and the worker's forwarded-headers middleware sets the scheme from
/// X-Forwarded-Proto, so the app never trusts that header itself. No includeSubDomains: the desk does not own the
/// provider's other hosts. Over plain HTTP (the dev host) browsers ignore the header, and nothing is set.
/// </summary>
public static class TransportSecurity
{
    public const string OneYear = "max-age=31536000";

    public static void Apply(HttpContext context)
    {
        if (context.Request.IsHttps)
        {
            context.Response.Headers.StrictTransportSecurity = OneYear;
        }
    }
}
