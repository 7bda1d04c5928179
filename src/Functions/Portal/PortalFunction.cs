using Microsoft.DurableTask.Client;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Portal;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Ops;
using AbuseDesk.Functions.Ownership;

namespace AbuseDesk.Functions.Portal;

/// <summary>
/// The portal: the page a customer's signed link opens, and the forms on it. The token is in
/// the URL, so responses never leak it onwards (no referrer, no caching); posts need the anti-forgery value
/// bound to both the token and a same-site cookie.
/// </summary>
public static class PortalFunction
{
    private const string CsrfCookie = "abusedesk-csrf";
    private const int MaxFormBytes = 64 * 1024;
    private const int MaxText = 4000;

    public static void AddPortal(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PortalOptions>()
            .Bind(configuration.GetSection(PortalOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<LinkRevocations>();
        services.AddSingleton<PortalRateLimits>();
        services.AddSingleton<PortalEndpoint>();
    }

    internal static async Task<IResult> ShowAsync(string token, HttpContext context, CaseLinks links, CaseQueries queries, LinkRevocations revocations, CustomerContacts contacts)
    {
        // A position in the case's evidence (the "Older reports" link); a mangled one shows the newest page.
        EvidenceCursor? from = EvidenceCursor.TryParse(context.Request.Query["evidence"].FirstOrDefault(), out var cursor) ? cursor : null;
        var (detail, failure) = await OpenAsync(token, links, queries, revocations, context.RequestAborted, from);
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
            PortalForms.Fixed => "Thank you: your fix is recorded.",
            PortalForms.Disputed => "Your dispute is recorded; the abuse team will review it.",
            PortalForms.MoreTime => "More time granted: see the new deadline below.",
            PortalForms.Message => "Your message was sent to the abuse team.",
            PortalForms.Reporter => "Your message is on its way to the reporter.",
            PortalForms.Contact => "We sent a confirmation link to the new address. Notices keep going to the current address until it is confirmed.",
            _ => null,
        };
        return Html(CasePage.Render(detail!, token, links.FormSecret(token, cookie), notice, null, await ContactOfAsync(detail!, contacts, context.RequestAborted)), StatusCodes.Status200OK);
    }

    private static async Task<ContactView> ContactOfAsync(CaseDetail detail, CustomerContacts contacts, CancellationToken cancellationToken)
    {
        var row = await contacts.GetAsync(detail.Case.CustomerId, cancellationToken);
        var pending = row?.PendingExpiresAt is { } until && until > DateTimeOffset.UtcNow ? row.Pending : null;
        return new ContactView(row?.Confirmed ?? detail.Case.ContactEmail, pending, pending is null ? null : row!.PendingExpiresAt);
    }

    internal static async Task<IResult> PostAsync(string token, HttpContext context, CaseLinks links, CaseQueries queries, LinkRevocations revocations, CaseInbox inbox, CustomerContacts contacts, OpsAudit audit, DurableTaskClient durable)
    {
        var (detail, failure) = await OpenAsync(token, links, queries, revocations, context.RequestAborted);
        if (failure is not null)
        {
            return failure;
        }

        if (!context.Request.HasFormContentType)
        {
            return Html(CasePage.Message("Form not accepted", NotAcceptedText), StatusCodes.Status400BadRequest);
        }

        var (form, unreadable) = await ReadFormAsync(context.Request, context.RequestAborted);
        if (form is null)
        {
            return unreadable!;
        }

        var cookie = context.Request.Cookies[CsrfCookie];
        var given = form["csrf"].FirstOrDefault();
        if (string.IsNullOrEmpty(cookie) || given is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(given), Encoding.ASCII.GetBytes(links.FormSecret(token, cookie))))
        {
            return Html(CasePage.Message("Form expired", "This form could not be verified. Open the case page again from the link in your mail and send it from there."), StatusCodes.Status403Forbidden);
        }

        var kind = form["action"].FirstOrDefault();
        var text = form["text"].FirstOrDefault()?.Trim() ?? "";
        var secret = links.FormSecret(token, cookie);
        var contact = await ContactOfAsync(detail!, contacts, context.RequestAborted);
        IResult Again(CaseDetail shown, string message, int status) =>
            Html(CasePage.Render(shown, token, secret, null, new FieldError(kind!, message, text.Length > MaxText ? text[..MaxText] : text), contact), status);

        if (kind == PortalForms.Contact)
        {
            if (Domain.Ownership.ContactAddress.Problem(text) is { } addressProblem)
            {
                return Again(detail!, $"That address {addressProblem}: give one address such as noc@example.com.", StatusCodes.Status422UnprocessableEntity);
            }

            if (string.Equals(text, contact.Current, StringComparison.OrdinalIgnoreCase))
            {
                return Again(detail!, "That is already the address our notices go to.", StatusCodes.Status422UnprocessableEntity);
            }

            var customerId = detail!.Case.CustomerId;
            var requestedBy = $"customer (case {detail.Case.PartitionKey})";
            await contacts.RequestAsync(customerId, text, requestedBy, detail.Case.Language, context.RequestAborted);
            await audit.RecordAsync("contact-change-requested", customerId, new OpsIntent(requestedBy, null), $"new address {text} waits for its confirmation", context.RequestAborted);
            context.Response.Headers.Location = $"/portal/cases/{Uri.EscapeDataString(token)}?done={PortalForms.Contact}#contact";
            return Results.StatusCode(StatusCodes.Status303SeeOther);
        }

        // Checked here as well as by the state machine so the answer is the page with the message at the field,
        // and so an over-long text is refused rather than silently cut.
        var problem = kind switch
        {
            PortalForms.Fixed when text.Length == 0 => "A fix needs a description: say what you did to stop the abuse.",
            PortalForms.Disputed when text.Length == 0 => "A dispute needs a reason: say why the report is wrong.",
            PortalForms.Message or PortalForms.Reporter when text.Length == 0 => "Write a message before sending it.",
            PortalForms.Fixed or PortalForms.Disputed or PortalForms.MoreTime or PortalForms.Message or PortalForms.Reporter when text.Length > MaxText =>
                $"Please keep it under {MaxText} characters (this is {text.Length}).",
            _ => null,
        };
        if (problem is not null)
        {
            return Again(detail!, problem, StatusCodes.Status422UnprocessableEntity);
        }

        CaseInput? input = kind switch
        {
            PortalForms.Fixed => new CustomerResolution(ResolutionKind.Fixed, text),
            PortalForms.Disputed => new CustomerResolution(ResolutionKind.Disputed, text),
            PortalForms.MoreTime => new CustomerResolution(ResolutionKind.MoreTime, text),
            PortalForms.Message => new CustomerMessage(text),
            PortalForms.Reporter => new MessageToReporters(text),
            _ => null,
        };
        if (input is null)
        {
            return Html(CasePage.Message("Unknown action", "Please use the forms on the case page."), StatusCodes.Status400BadRequest);
        }

        var caseId = detail!.Case.PartitionKey;
        var answer = await inbox.SubmitAsync(durable, caseId, input, context.RequestAborted);
        if (answer is { Outcome: CaseStep.Refused })
        {
            // E.g. more time asked twice from two open tabs: the fresh page no longer offers it and says why.
            var fresh = await queries.DetailAsync(caseId, context.RequestAborted) ?? detail;
            return Again(fresh, answer.Reason ?? "", StatusCodes.Status409Conflict);
        }

        // Post/redirect/get: a reload never posts twice.
        context.Response.Headers.Location = $"/portal/cases/{Uri.EscapeDataString(token)}?done={kind}";
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    /// <summary>
    /// The posted form, read from at most <see cref="MaxFormBytes"/> bytes actually received (a chunked body has no
    /// Content-Length to check), or the page that refuses it: 413 when the body is longer, 400 when the form reader
    /// cannot make a form of it (too many fields, broken multipart).
    /// </summary>
    private static async Task<(IFormCollection? Form, IResult? Refused)> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxFormBytes || await BoundedBody.ReadAsync(request.Body, MaxFormBytes, cancellationToken) is not { } body)
        {
            return (null, Html(CasePage.Message("Form too large", TooLargeText), StatusCodes.Status413PayloadTooLarge));
        }

        // The form reader parses what was read, never the network stream: its own limits are per field, not in total.
        request.Body = new MemoryStream(body.ToArray(), writable: false);
        try
        {
            return (await request.ReadFormAsync(cancellationToken), null);
        }
        catch (InvalidDataException)
        {
            return (null, Html(CasePage.Message("Form not accepted", NotAcceptedText), StatusCodes.Status400BadRequest));
        }
    }

    private static async Task<(CaseDetail? Detail, IResult? Failure)> OpenAsync(string token, CaseLinks links, CaseQueries queries, LinkRevocations revocations, CancellationToken cancellationToken, EvidenceCursor? evidenceFrom = null)
    {
        var check = links.Verify(token);
        if (check.Check == TokenCheck.Expired)
        {
            return (null, Html(CasePage.Message("This link has expired", "Links in our mails work for a limited time. Reply to the mail you received, or write to the abuse team, and we will send you a new link."), StatusCodes.Status410Gone));
        }

        CaseDetail? detail = null;
        if (check.Check == TokenCheck.Valid)
        {
            var revokedBefore = revocations.RevokedBeforeAsync(check.CaseId!, cancellationToken);
            detail = await queries.DetailAsync(check.CaseId!, cancellationToken, evidenceFrom);
            if (detail is not null && check.RevokedBy(await revokedBefore).Check == TokenCheck.Revoked)
            {
                return (null, Html(CasePage.Message("This link was withdrawn", "The abuse team withdrew this link. Use the link in the newest mail about this case, or reply to that mail to reach the abuse team."), StatusCodes.Status410Gone));
            }
        }

        return detail is null
            ? (null, Html(CasePage.Message("Case not found", "This link is not valid. Check that you copied the whole link from the mail, or reply to the mail to reach the abuse team."), StatusCodes.Status404NotFound))
            : (detail, null);
    }

    private sealed record RevokeRequest(string? Actor, string? Reason);

    /// <summary>
    /// POST /api/ops/cases/{caseId}/links/revoke (ops key): withdraws every portal link issued so far for the case,
    /// e.g. after a customer forwarded a mail to the wrong people. Mails sent afterwards carry links that work.
    /// </summary>
    internal static async Task<IResult> RevokeLinksAsync(string caseId, HttpContext context, LinkRevocations revocations)
    {
        RevokeRequest? request = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                request = await context.Request.ReadFromJsonAsync<RevokeRequest>(context.RequestAborted);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                return Problems.BadRequest($"Body must be JSON: {{\"actor\":\"...\",\"reason\":\"...\"}} ({ex.Message})");
            }
        }

        var actor = OpsActor.From(context.Request, request?.Actor);
        if (actor is null)
        {
            return Problems.BadRequest("'actor' is required: who withdraws the links (1-200 characters).");
        }

        var reason = string.IsNullOrWhiteSpace(request?.Reason) ? null : request.Reason.Trim();
        if (reason is { Length: > 2000 })
        {
            return Problems.BadRequest("'reason' is limited to 2000 characters.");
        }

        var revocation = caseId.Length is 0 or > 64 || caseId.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-') ? null : await revocations.RevokeAsync(caseId, actor, reason, context.RequestAborted);
        return revocation is null
            ? Problems.NotFound($"No case '{caseId}'.")
            : Results.Json(new { caseId, revokedBefore = revocation.RevokedBefore, actor = revocation.Actor, reason = revocation.Reason });
    }

    /// <summary>GET /portal/contact/{customerId}/{secret}: what the link would confirm, and the button that does.</summary>
    internal static async Task<IResult> ShowContactConfirmationAsync(string customerId, string secret, HttpContext context, CustomerContacts contacts)
    {
        var row = customerId.Length <= 64 ? await contacts.GetAsync(customerId, context.RequestAborted) : null;
        if (row?.Pending is null || row.PendingExpiresAt is null)
        {
            return Html(CasePage.Message("Nothing to confirm", "This link confirms nothing (any more). If you changed your abuse contact, the newest mail we sent to the new address has the link that works."), StatusCodes.Status404NotFound);
        }

        return row.PendingExpiresAt < DateTimeOffset.UtcNow
            ? Html(CasePage.Message("This link has expired", "Ask for the change again from the case page; we will send a new link."), StatusCodes.Status410Gone)
            : Html(CasePage.ContactConfirmation(customerId, row.Pending, $"/portal/contact/{Uri.EscapeDataString(customerId)}/{Uri.EscapeDataString(secret)}"), StatusCodes.Status200OK);
    }

    /// <summary>POST /portal/contact/{customerId}/{secret}: confirms the new address; the old one is told, the audit log says who.</summary>
    internal static async Task<IResult> ConfirmContactAsync(string customerId, string secret, HttpContext context, CustomerContacts contacts, OpsAudit audit, CustomerDirectory directory)
    {
        if (customerId.Length > 64)
        {
            return Html(CasePage.Message("Nothing to confirm", "This link is not valid."), StatusCodes.Status404NotFound);
        }

        var (customer, _) = await directory.DetailAsync(customerId, context.RequestAborted);
        var language = customer?.Resources.FirstOrDefault()?.Language;
        var (outcome, address) = await contacts.ConfirmAsync(customerId, secret, customer?.ContactEmail, language, context.RequestAborted);
        switch (outcome)
        {
            case ContactConfirmation.Confirmed:
                await audit.RecordAsync("contact-changed", customerId, new OpsIntent("customer (confirmed from the new address)", null), $"abuse notices now go to {address}", context.RequestAborted);
                return Html(CasePage.Message("Confirmed", $"Abuse notices for account {customerId} now go to {address}."), StatusCodes.Status200OK);
            case ContactConfirmation.AlreadyConfirmed:
                return Html(CasePage.Message("Confirmed", $"Abuse notices for account {customerId} already go to {address}."), StatusCodes.Status200OK);
            case ContactConfirmation.Expired:
                return Html(CasePage.Message("This link has expired", "Ask for the change again from the case page; we will send a new link."), StatusCodes.Status410Gone);
            default:
                return Html(CasePage.Message("Nothing to confirm", "This link confirms nothing (any more). If you changed your abuse contact, the newest mail we sent to the new address has the link that works."), StatusCodes.Status404NotFound);
        }
    }

    internal const string NotAcceptedText = "Your form could not be read, so nothing was recorded. Open the case page again from the link in your mail and send it from there.";

    internal static readonly string TooLargeText = $"Your form is larger than the case page sends, so nothing was recorded. Please keep your text under {MaxText} characters and send it from the case page.";

    internal static IResult Html(string body, int status) => Results.Content(body, "text/html; charset=utf-8", Encoding.UTF8, status);
}

/// <summary>POST /api/ops/cases/{caseId}/links/revoke</summary>
public sealed class RevokeCaseLinks(OpsEndpoint endpoint, LinkRevocations revocations)
{
    [Function(nameof(RevokeCaseLinks))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/ops/cases/{caseId}/links/revoke")] HttpRequest request, string caseId) =>
        endpoint.RunAsync(request, () => PortalFunction.RevokeLinksAsync(caseId, request.HttpContext, revocations));
}

/// <summary>GET /portal/cases/{token}: the case page a customer's link opens.</summary>
public sealed class ShowCasePage(PortalEndpoint endpoint, CaseLinks links, CaseQueries queries, LinkRevocations revocations, CustomerContacts contacts)
{
    [Function(nameof(ShowCasePage))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "portal/cases/{token}")] HttpRequest request, string token) =>
        endpoint.RunAsync(request, () => PortalFunction.ShowAsync(token, request.HttpContext, links, queries, revocations, contacts));
}

/// <summary>POST /portal/cases/{token}: a resolution or a message from the case page's forms.</summary>
public sealed class PostCasePage(PortalEndpoint endpoint, CaseLinks links, CaseQueries queries, LinkRevocations revocations, CaseInbox inbox, CustomerContacts contacts, OpsAudit audit)
{
    [Function(nameof(PostCasePage))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "portal/cases/{token}")] HttpRequest request, string token, [DurableClient] DurableTaskClient durable) =>
        endpoint.RunAsync(request, () => PortalFunction.PostAsync(token, request.HttpContext, links, queries, revocations, inbox, contacts, audit, durable));
}

/// <summary>GET /portal/contact/{customerId}/{secret}: the page a contact confirmation link opens.</summary>
public sealed class ShowContactConfirmation(PortalEndpoint endpoint, CustomerContacts contacts)
{
    [Function(nameof(ShowContactConfirmation))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "portal/contact/{customerId}/{secret}")] HttpRequest request, string customerId, string secret) =>
        endpoint.RunAsync(request, () => PortalFunction.ShowContactConfirmationAsync(customerId, secret, request.HttpContext, contacts));
}

/// <summary>POST /portal/contact/{customerId}/{secret}: confirms a customer's new abuse contact.</summary>
public sealed class ConfirmContact(PortalEndpoint endpoint, CustomerContacts contacts, OpsAudit audit, CustomerDirectory directory)
{
    [Function(nameof(ConfirmContact))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "portal/contact/{customerId}/{secret}")] HttpRequest request, string customerId, string secret) =>
        endpoint.RunAsync(request, () => PortalFunction.ConfirmContactAsync(customerId, secret, request.HttpContext, contacts, audit, directory));
}

/// <summary>GET /portal/assets/portal.css: the page's only stylesheet (the CSP allows nothing else).</summary>
public sealed class GetPortalStyles(PortalEndpoint endpoint)
{
    private static readonly string StylesPath = Path.Combine(AppContext.BaseDirectory, "Portal", "assets", "portal.css");

    [Function(nameof(GetPortalStyles))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "portal/assets/portal.css")] HttpRequest request) =>
        endpoint.RunAsync(request, () => Results.File(StylesPath, "text/css"));
}
