using System.Security.Cryptography;
using System.Text;
using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Portal;
using AbuseDesk.Functions.Cases;

namespace AbuseDesk.Functions.Portal;

/// <summary>
/// The "Portal" HTTP function: the page a customer's signed link opens, and the forms on it. The token is in
/// the URL, so responses never leak it onwards (no referrer, no caching); posts need the anti-forgery value
/// bound to both the token and a same-site cookie.
/// </summary>
public static class PortalFunction
{
    private const string CsrfCookie = "abusedesk-csrf";
    private const int MaxFormBytes = 64 * 1024;

    public static void MapPortal(this WebApplication app)
    {
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/portal"), branch => branch.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.CacheControl = "no-store";
            await next();
        }));

        app.MapGet("/portal/assets/portal.css", () => Results.File(Path.Combine(AppContext.BaseDirectory, "Portal", "assets", "portal.css"), "text/css"));
        app.MapGet("/portal/cases/{token}", ShowAsync);
        app.MapPost("/portal/cases/{token}", PostAsync).DisableAntiforgery();
    }

    private static async Task<IResult> ShowAsync(string token, HttpContext context, CaseLinks links, CaseQueries queries)
    {
        var (detail, failure) = await OpenAsync(token, links, queries, context.RequestAborted);
        if (failure is not null)
        {
            return failure;
        }

        var cookie = context.Request.Cookies[CsrfCookie];
        if (string.IsNullOrEmpty(cookie) || cookie.Length > 100)
        {
            cookie = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            context.Response.Cookies.Append(CsrfCookie, cookie, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = context.Request.IsHttps,
                Path = "/portal",
            });
        }

        var notice = context.Request.Query["done"].FirstOrDefault() switch
        {
            "fixed" => "Thank you: your fix is recorded.",
            "disputed" => "Your dispute is recorded; the abuse team will review it.",
            "more-time" => "More time granted: see the new deadline below.",
            "message" => "Your message was sent to the abuse team.",
            _ => null,
        };
        return Html(CasePage.Render(detail!, token, links.FormSecret(token, cookie), notice, null), StatusCodes.Status200OK);
    }

    private static async Task<IResult> PostAsync(string token, HttpContext context, CaseLinks links, CaseQueries queries, CaseTransitions transitions)
    {
        var (detail, failure) = await OpenAsync(token, links, queries, context.RequestAborted);
        if (failure is not null)
        {
            return failure;
        }

        if (context.Request.ContentLength > MaxFormBytes || !context.Request.HasFormContentType)
        {
            return Html(CasePage.Message("Form not accepted", "Please use the form on the case page."), StatusCodes.Status400BadRequest);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var cookie = context.Request.Cookies[CsrfCookie];
        var given = form["csrf"].FirstOrDefault();
        if (string.IsNullOrEmpty(cookie) || given is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(given), Encoding.ASCII.GetBytes(links.FormSecret(token, cookie))))
        {
            return Html(CasePage.Message("Form expired", "This form could not be verified. Open the case page again from the link in your mail and send it from there."), StatusCodes.Status403Forbidden);
        }

        var text = form["text"].FirstOrDefault();
        if (text is { Length: > 4000 })
        {
            text = text[..4000];
        }

        var kind = form["action"].FirstOrDefault();
        CaseInput? input = kind switch
        {
            "fixed" => new CustomerResolution(ResolutionKind.Fixed, text),
            "disputed" => new CustomerResolution(ResolutionKind.Disputed, text),
            "more-time" => new CustomerResolution(ResolutionKind.MoreTime, text),
            "message" => new CustomerMessage(text ?? ""),
            _ => null,
        };
        if (input is null)
        {
            return Html(CasePage.Message("Unknown action", "Please use the forms on the case page."), StatusCodes.Status400BadRequest);
        }

        var caseId = detail!.Case.PartitionKey;
        var decision = await transitions.ApplyAsync(caseId, input, context.RequestAborted);
        if (decision is Refused refused)
        {
            var fresh = await queries.DetailAsync(caseId, context.RequestAborted) ?? detail;
            return Html(CasePage.Render(fresh, token, links.FormSecret(token, cookie), null, refused.Reason), StatusCodes.Status409Conflict);
        }

        // Post/redirect/get: a reload never posts twice.
        context.Response.Headers.Location = $"/portal/cases/{Uri.EscapeDataString(token)}?done={kind}";
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static async Task<(CaseDetail? Detail, IResult? Failure)> OpenAsync(string token, CaseLinks links, CaseQueries queries, CancellationToken cancellationToken)
    {
        var check = links.Verify(token);
        if (check.Check == TokenCheck.Expired)
        {
            return (null, Html(CasePage.Message("This link has expired", "Links in our mails work for a limited time. Reply to the mail you received, or write to the abuse team, and we will send you a new link."), StatusCodes.Status410Gone));
        }

        var detail = check.Check == TokenCheck.Valid ? await queries.DetailAsync(check.CaseId!, cancellationToken) : null;
        return detail is null
            ? (null, Html(CasePage.Message("Case not found", "This link is not valid. Check that you copied the whole link from the mail, or reply to the mail to reach the abuse team."), StatusCodes.Status404NotFound))
            : (detail, null);
    }

    private static IResult Html(string body, int status) => Results.Content(body, "text/html; charset=utf-8", Encoding.UTF8, status);
}
