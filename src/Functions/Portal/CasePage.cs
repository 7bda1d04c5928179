using System.Globalization;
using System.Net;
using System.Text;
using AbuseDesk.Domain.Cases;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Notifications;
using static AbuseDesk.Functions.Portal.PortalForms;

namespace AbuseDesk.Functions.Portal;

/// <summary>A problem with one form's input, shown next to that form's field.</summary>
public sealed record FieldError(string Form, string Message, string? Text);

/// <summary>The forms the case page can carry; the posted "action" field names one.</summary>
public static class PortalForms
{
    public const string Fixed = "fixed";
    public const string Disputed = "disputed";
    public const string MoreTime = "more-time";
    public const string Message = "message";
    public const string Contact = "contact";
    public const string Reporter = "reporter";
}

/// <summary>Where the customer's abuse notices go now, and a new address waiting for its confirmation.</summary>
public sealed record ContactView(string Current, string? Pending, DateTimeOffset? PendingExpiresAt);

/// <summary>
/// The customer's case page, server-rendered and usable without JavaScript, on a phone and with a keyboard or a
/// screen reader. Every value that came from a report, a customer or an ops person is HTML-encoded: evidence is
/// attacker-controlled text.
/// </summary>
public static class CasePage
{

    /// <summary>History lines that belong to the conversation rather than to the case's log.</summary>
    private static readonly HashSet<string> Conversation = ["customer-message", "ops-message", "resolution-rejected", CaseStateMachine.FromReporter];

    /// <summary>System lines whose detail is the desk's internal reasoning (safeties), not something to show customers.</summary>
    private static readonly HashSet<string> InternalDetail = ["suspension-held", "links-revoked"];

    public static string Render(CaseDetail detail, string token, string formSecret, string? notice, FieldError? error, ContactView? contact = null)
    {
        var state = detail.Case.ToState();
        var html = new StringBuilder();
        var action = $"/portal/cases/{E(token)}";

        html.Append(Head($"Case {state.CaseId}"));
        html.Append(CultureInfo.InvariantCulture, $"<h1>Abuse case {E(state.CaseId)}</h1>");
        if (notice is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"notice\" role=\"status\">{E(notice)}</p>");
        }

        var resolutions = CaseStateMachine.ResolutionsAllowed(state);
        if (error is not null)
        {
            // The summary points at the field; the field itself carries the message through aria-describedby. A
            // refusal may concern a form the page no longer offers (more time, asked twice): then only the summary.
            var shown = error.Form is PortalForms.Message or PortalForms.Contact or PortalForms.Reporter || resolutions.Any(r => Kind(r) == error.Form);
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"error\" role=\"alert\"><p>Your answer was not recorded: {E(error.Message)}</p>");
            if (shown)
            {
                html.Append(CultureInfo.InvariantCulture, $"<p><a href=\"#text-{E(error.Form)}\">Go to the field</a></p>");
            }

            html.Append("</div>");
        }

        html.Append("<section aria-labelledby=\"about\"><h2 id=\"about\">About this case</h2>");
        html.Append(CultureInfo.InvariantCulture,
            $"<p class=\"status\">Status: <strong data-status=\"{E(state.Status.ToWireName())}\">{E(StatusName(state.Status))}</strong>. {E(StatusHelp(state))}</p>");
        html.Append("<dl class=\"facts\">");
        Fact(html, "Type", Domain.Parsing.AbuseClasses.ToWireName(state.AbuseClass));
        Fact(html, "Resource", state.ResourceId);
        Fact(html, "Address", state.Ip);
        Fact(html, "Reports", state.EventCount);
        Fact(html, "First seen", detail.Case.FirstEventAt is { } firstSeen ? Time(firstSeen) : null);
        Fact(html, "Last seen", state.LastEventAt is { } lastSeen ? Time(lastSeen) : null);
        Fact(html, "Opened", Time(state.OpenedAt));
        Fact(html, "Deadline", state.Deadline is { } d ? Time(d) : "none (informational)");
        if (state.Resolution is not null)
        {
            Fact(html, "Your answer", $"{state.Resolution}: {state.ResolutionNote}");
        }

        html.Append("</dl><nav aria-label=\"On this page\"><ul class=\"jump\"><li><a href=\"#evidence\">Evidence</a></li><li><a href=\"#answer\">Record how you solved it</a></li><li><a href=\"#conversation\">Conversation</a></li></ul></nav></section>");

        Evidence(html, detail, action);

        html.Append("<section aria-labelledby=\"answer\"><h2 id=\"answer\">Record how you solved it</h2>");
        if (resolutions.Count == 0)
        {
            html.Append("<p>Nothing to record for a case in this state. You can still write to the abuse team below.</p>");
        }

        if (resolutions.Contains(ResolutionKind.Fixed))
        {
            Form(html, action, formSecret, Fixed, "I fixed it", "Describe what you did to stop it (required)",
                "For example: removed the phishing kit, changed the passwords, updated the software.", "Record the fix", required: true, error);
        }

        if (resolutions.Contains(ResolutionKind.Disputed))
        {
            Form(html, action, formSecret, Disputed, "The report is wrong", "Why is this report wrong? (required)",
                "The abuse team reads your reason before anything else happens.", "Dispute the report", required: true, error);
        }

        if (resolutions.Contains(ResolutionKind.MoreTime))
        {
            Form(html, action, formSecret, MoreTime, "I need more time", "What do you still need to do? (optional)",
                "You can ask for more time once; the deadline moves once.", "Ask for more time", required: false, error);
        }
        else if (state.ExtensionUsed && state.Status.IsOpen())
        {
            html.Append("<p id=\"more-time-used\" class=\"muted\">You already asked for more time once, so the deadline cannot move again. Record a fix or dispute the report, or write to the abuse team.</p>");
        }

        html.Append("</section>");

        html.Append("<section aria-labelledby=\"conversation\"><h2 id=\"conversation\">Conversation</h2>");
        var messages = detail.History.Where(h => Conversation.Contains(h.What) || h.Actor == CaseStateMachine.Customer).ToList();
        if (messages.Count == 0)
        {
            html.Append("<p class=\"muted\">No messages yet.</p>");
        }
        else
        {
            html.Append("<ol class=\"conversation\">");
            foreach (var entry in messages)
            {
                var mine = entry.Actor == CaseStateMachine.Customer;
                var reporter = entry.What == CaseStateMachine.FromReporter;
                var byMail = entry.Rule?.Contains("by mail", StringComparison.Ordinal) == true;
                var who = mine ? entry.What == CaseStateMachine.ToReporters ? "You, to the reporter" : byMail ? "You, by mail" : "You"
                    : reporter ? "The reporter" : "Abuse team";
                // Who the reporter is stays with ops (the line's rule); the customer learns only whether the sender was vouched for.
                var unverified = byMail && entry.Rule!.Contains("sender not verified", StringComparison.Ordinal)
                    ? " <span class=\"unverified\">(sender not verified)</span>" : "";
                html.Append(CultureInfo.InvariantCulture,
                    $"<li class=\"{(mine ? "from-customer" : reporter ? "from-reporter" : "from-team")}\"><p><strong>{who}</strong>{unverified} <span class=\"muted\">{E(What(entry.What))}, {E(Time(entry.At))}</span></p>");
                if (!string.IsNullOrEmpty(entry.Detail))
                {
                    html.Append(CultureInfo.InvariantCulture, $"<p class=\"said\">{E(entry.Detail)}</p>");
                }

                html.Append("</li>");
            }

            html.Append("</ol>");
        }

        Form(html, action, formSecret, PortalForms.Message, "Write to the abuse team", "Your message (required)",
            "The abuse team answers by mail and on this page.", "Send message", required: true, error);
        Form(html, action, formSecret, PortalForms.Reporter, "Write to the reporter", "Your message to the reporter (required)",
            "We pass it on by mail to whoever reported this, without your name or address; answers appear on this page.", "Send to the reporter", required: true, error);
        html.Append("</section>");

        if (contact is not null)
        {
            Contact(html, action, formSecret, contact, error);
        }

        html.Append("<section aria-labelledby=\"history\"><h2 id=\"history\">History</h2><ol class=\"history\">");
        foreach (var entry in detail.History.Where(h => !Conversation.Contains(h.What) && h.Actor != CaseStateMachine.Customer))
        {
            var who = entry.Actor is CaseStateMachine.System or SendEmail.Mailer ? "AbuseDesk" : "Abuse team";
            // Ops reasons are internal notes; only what ops chose to tell the customer is in the conversation. A failed
            // mail says why in our own words: its stored detail carries the receiving server's free text.
            // A relay that bounced is the reporter's address failing, not the customer's: said so, and no more.
            var relayFailed = entry.What == SendEmail.FailedHistory && entry.Detail?.StartsWith(CaseReporters.RelayKind, StringComparison.Ordinal) == true;
            var shown = relayFailed ? "Your message could not be delivered to the reporter."
                : entry.What == SendEmail.FailedHistory
                ? SmtpFailure.CustomerReason(entry.Rule, entry.Detail)
                : entry.Actor == CaseStateMachine.System && !InternalDetail.Contains(entry.What) ? entry.Detail : null;
            html.Append(CultureInfo.InvariantCulture, $"<li><strong>{E(who)}</strong>: {E(What(entry.What))} <span class=\"muted\">{E(Time(entry.At))}</span>");
            if (!string.IsNullOrEmpty(shown))
            {
                html.Append(CultureInfo.InvariantCulture, $"<div class=\"detail\">{E(shown)}</div>");
            }

            html.Append("</li>");
        }

        html.Append("</ol></section>");
        html.Append(Foot());
        return html.ToString();
    }

    /// <summary>
    /// The evidence, a page at a time, newest first: the kept events in full, and for a case that counted more than
    /// it keeps, how many more and the most recent distinct ones. Paging links carry only a position
    /// (<see cref="EvidenceCursor"/>); the case comes from the token, so they cannot open another.
    /// </summary>
    private static void Evidence(StringBuilder html, CaseDetail detail, string action)
    {
        var c = detail.Case;
        var page = detail.Evidence;
        html.Append("<section aria-labelledby=\"evidence\"><h2 id=\"evidence\">Evidence</h2><p class=\"muted\">What the reports said, exactly as received, newest first.</p>");
        if (page.From is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{action}#evidence\">Back to the newest reports</a></p>");
        }

        html.Append("<ol class=\"events\">");
        foreach (var item in page.Items)
        {
            Event(html, item);
        }

        html.Append("</ol>");
        if (c.EvidenceKept > 0 || page.Items.Count > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{page.Items.Count} reports on this page, of {c.EvidenceKept} kept in full.</p>");
        }

        if (page.Next is { } next)
        {
            html.Append(CultureInfo.InvariantCulture, $"<nav aria-label=\"Evidence pages\"><p><a rel=\"next\" href=\"{action}?evidence={E(next)}#evidence\">Older reports</a></p></nav>");
        }

        var counted = c.EventCount - c.EvidenceKept;
        if (counted > 0 && page.From is null)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<h3 id=\"more-reports\">{counted} more reports</h3><p>We keep the first {c.EvidenceKept} reports of a case in full; the {counted} after them are counted");
            if (c.FirstEventAt is { } first && c.LastEventAt is { } last)
            {
                html.Append(CultureInfo.InvariantCulture, $" (all reports together: first seen {E(Time(first))}, last seen {E(Time(last))})");
            }

            html.Append(". The most recent different ones:</p><ol class=\"events sample\">");
            foreach (var item in CaseEvidence.Unpack(c.EvidenceSample))
            {
                Event(html, item);
            }

            html.Append("</ol>");
        }

        html.Append("</section>");
    }

    private static void Event(StringBuilder html, EvidenceItem item)
    {
        html.Append(CultureInfo.InvariantCulture,
            $"<li><p><strong>{E(item.ReportType)}</strong> {E(item.Ip)} {E(item.Url)} <span class=\"muted\">{E(item.OccurredAt is { } at ? Time(at) : "")}</span></p>");
        if (!string.IsNullOrEmpty(item.Evidence))
        {
            html.Append(CultureInfo.InvariantCulture, $"<pre class=\"evidence\" tabindex=\"0\">{E(item.Evidence)}</pre>");
        }

        html.Append("</li>");
    }

    /// <summary>A page with one message: the link is wrong, expired or withdrawn, or something was refused.</summary>
    public static string Message(string title, string text) =>
        $"{Head(title)}<h1>{E(title)}</h1><p>{E(text)}</p>{Foot()}";

    private static string Head(string title) =>
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<meta name=\"referrer\" content=\"no-referrer\">"
        + $"<title>{E(title)} — AbuseDesk</title><link rel=\"stylesheet\" href=\"/portal/assets/portal.css\"></head>"
        + "<body><a class=\"skip\" href=\"#main\">Skip to the case</a><header class=\"site\"><p>AbuseDesk · abuse desk of your hosting provider</p></header>"
        + "<main id=\"main\" tabindex=\"-1\">";

    private static string Foot() =>
        "</main><footer class=\"site\"><p>Questions? Reply to the mail you received; it reaches the abuse team.</p></footer></body></html>";

    private static void Fact(StringBuilder html, string name, object? value)
    {
        if (value is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<dt>{E(name)}</dt><dd>{E(value)}</dd>");
        }
    }

    private static void Form(StringBuilder html, string action, string formSecret, string kind, string heading, string label, string hint,
        string button, bool required, FieldError? error)
    {
        var id = $"text-{kind}";
        var mine = error?.Form == kind ? error : null;
        var describedBy = mine is null ? $"hint-{kind}" : $"error-{kind} hint-{kind}";
        html.Append(CultureInfo.InvariantCulture, $"""
            <form method="post" action="{action}" id="form-{kind}" aria-labelledby="heading-{kind}">
            <h3 id="heading-{kind}">{E(heading)}</h3>
            <input type="hidden" name="csrf" value="{E(formSecret)}">
            <input type="hidden" name="action" value="{kind}">
            <label for="{id}">{E(label)}</label>
            <p id="hint-{kind}" class="hint">{E(hint)}</p>
            """);
        if (mine is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p id=\"error-{kind}\" class=\"field-error\"><strong>Error:</strong> {E(mine.Message)}</p>");
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            <textarea id="{id}" name="text" maxlength="4000" rows="5" aria-describedby="{describedBy}"{(required ? " required aria-required=\"true\"" : "")}{(mine is null ? "" : " aria-invalid=\"true\"")}>{E(mine?.Text)}</textarea>
            <p><button type="submit">{E(button)}</button></p>
            </form>
            """);
    }

    /// <summary>
    /// The address abuse notices go to, and the form that changes it: the new address gets a link that confirms it,
    /// and notices keep going to the current one until then (<see cref="Ownership.CustomerContacts"/>).
    /// </summary>
    private static void Contact(StringBuilder html, string action, string formSecret, ContactView contact, FieldError? error)
    {
        var mine = error?.Form == PortalForms.Contact ? error : null;
        html.Append(CultureInfo.InvariantCulture, $"""
            <section aria-labelledby="contact"><h2 id="contact">Where we send abuse notices</h2>
            <p>Our abuse notices for your account go to <strong id="contact-current">{E(contact.Current)}</strong>.</p>
            """);
        if (contact.Pending is not null)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<p id=\"contact-pending\" class=\"notice\">Waiting for confirmation: <strong>{E(contact.Pending)}</strong>. We sent a link to that address; it works until {E(contact.PendingExpiresAt is { } until ? Time(until) : "")}.</p>");
        }

        var describedBy = mine is null ? "hint-contact" : "error-contact hint-contact";
        html.Append(CultureInfo.InvariantCulture, $"""
            <form method="post" action="{action}" id="form-contact" aria-labelledby="heading-contact">
            <h3 id="heading-contact">Send abuse notices to another address</h3>
            <input type="hidden" name="csrf" value="{E(formSecret)}">
            <input type="hidden" name="action" value="{PortalForms.Contact}">
            <label for="text-contact">New address (required)</label>
            <p id="hint-contact" class="hint">We send a link to the new address; the change takes effect once it is confirmed there, and the current address is told.</p>
            """);
        if (mine is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p id=\"error-contact\" class=\"field-error\"><strong>Error:</strong> {E(mine.Message)}</p>");
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            <input type="email" id="text-contact" name="text" maxlength="254" autocomplete="email" required aria-required="true" aria-describedby="{describedBy}"{(mine is null ? "" : " aria-invalid=\"true\"")} value="{E(mine?.Text)}">
            <p><button type="submit">Change the address</button></p>
            </form></section>
            """);
    }

    /// <summary>The page a confirmation link opens: one button, so a mail scanner that follows links confirms nothing.</summary>
    public static string ContactConfirmation(string customerId, string address, string action) =>
        $"""
        {Head("Confirm your abuse contact")}<h1>Confirm your abuse contact</h1>
        <p>Abuse notices for account <strong>{E(customerId)}</strong> will go to <strong id="contact-new">{E(address)}</strong>.</p>
        <form method="post" action="{E(action)}"><p><button type="submit">Confirm {E(address)}</button></p></form>
        {Foot()}
        """;

    private static string Kind(ResolutionKind kind) => kind switch
    {
        ResolutionKind.Fixed => Fixed,
        ResolutionKind.Disputed => Disputed,
        _ => MoreTime,
    };

    private static string StatusName(CaseStatus status) => status switch
    {
        CaseStatus.New or CaseStatus.Notified => "Waiting for your answer",
        CaseStatus.PendingReview => "Fix recorded, being reviewed",
        CaseStatus.Resolved => "Resolved",
        CaseStatus.Disputed => "Disputed",
        CaseStatus.Escalated => "With the abuse team",
        CaseStatus.SuspensionPending => "Suspension being decided",
        CaseStatus.Suspended => "Suspended",
        CaseStatus.Reinstated => "Reinstated",
        CaseStatus.Closed => "Closed",
        _ => "Terminated",
    };

    private static string StatusHelp(CaseState state) => state.Status switch
    {
        CaseStatus.New or CaseStatus.Notified when state.Deadline is { } deadline =>
            $"Please stop the abuse and record what you did before {Time(deadline)}.",
        CaseStatus.New or CaseStatus.Notified => "This case is informational: please check it and record what you did.",
        CaseStatus.PendingReview => "The abuse team checks your fix and tells you by mail.",
        CaseStatus.Resolved => "Thank you: nothing more to do.",
        CaseStatus.Disputed => "The abuse team reviews your reason and tells you by mail.",
        CaseStatus.Escalated or CaseStatus.SuspensionPending => "An abuse team member looks at this case; you can still record a fix.",
        CaseStatus.Suspended => "The resource is suspended. Record a fix; the abuse team reviews it and lifts the suspension.",
        CaseStatus.Reinstated => "The resource runs again; please record what you fixed.",
        CaseStatus.Closed => "The abuse team closed this case.",
        _ => "This case is final.",
    };

    private static string What(string what) => what switch
    {
        "notified" => "you were notified",
        "reminded" => "reminder sent",
        "digest-sent" => "new reports sent to you",
        "digest-scheduled" => "new reports arrived",
        "customer-message" => "message",
        CaseStateMachine.ToReporters => "message",
        CaseStateMachine.FromReporter => "reply by mail",
        "ops-message" => "message",
        "resolution-rejected" => "your fix was not accepted",
        "resolution-pending-review" => "fix recorded, waiting for review",
        "resolved" => "resolved",
        "disputed" => "disputed",
        "extended" => "deadline moved",
        "escalated" => "passed to the abuse team",
        "suspension-held" => "suspension waiting for a person",
        "suspended" => "suspended",
        "reinstated" => "reinstated",
        "links-revoked" => "earlier links withdrawn",
        SendEmail.FailedHistory => "our mail did not reach you",
        _ => what.Replace('-', ' '),
    };

    private static string E(object? value) => WebUtility.HtmlEncode(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
