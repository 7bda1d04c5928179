using System.Globalization;
using System.Net;
using System.Text;
using AbuseDesk.Domain.Cases;
using AbuseDesk.Functions.Cases;

namespace AbuseDesk.Functions.Portal;

/// <summary>
/// The customer's case page, server-rendered and usable without JavaScript. Every value that came from a
/// report, a customer or an ops person is HTML-encoded: evidence is attacker-controlled text.
/// </summary>
public static class CasePage
{
    public static string Render(CaseDetail detail, string token, string formSecret, string? notice, string? error)
    {
        var state = detail.Case.ToState();
        var html = new StringBuilder();
        var e = (object? value) => WebUtility.HtmlEncode(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
        var action = $"/portal/cases/{e(token)}";

        html.Append(Head($"Case {state.CaseId}"));
        html.Append(CultureInfo.InvariantCulture, $"<h1>Abuse case {e(state.CaseId)}</h1>");
        if (notice is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"notice\" role=\"status\">{e(notice)}</p>");
        }

        if (error is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"error\" role=\"alert\">{e(error)}</p>");
        }

        html.Append("<dl class=\"facts\">");
        Fact(html, "Status", state.Status.ToWireName(), e);
        Fact(html, "Type", Domain.Parsing.AbuseClasses.ToWireName(state.AbuseClass), e);
        Fact(html, "Resource", state.ResourceId, e);
        Fact(html, "Address", state.Ip, e);
        Fact(html, "Reports", state.EventCount, e);
        Fact(html, "Opened", Time(state.OpenedAt), e);
        Fact(html, "Deadline", state.Deadline is { } d ? Time(d) : "none (informational)", e);
        if (state.Resolution is not null)
        {
            Fact(html, "Resolution", $"{state.Resolution}: {state.ResolutionNote}", e);
        }

        html.Append("</dl>");

        var resolutions = CaseStateMachine.ResolutionsAllowed(state);
        if (resolutions.Count > 0)
        {
            html.Append("<h2>Record how you solved it</h2>");
            if (resolutions.Contains(ResolutionKind.Fixed))
            {
                Form(html, action, formSecret, "fixed", "Describe what you did to stop it (required)", "Record the fix", required: true);
            }

            if (resolutions.Contains(ResolutionKind.Disputed))
            {
                Form(html, action, formSecret, "disputed", "Why is this report wrong? (required)", "Dispute the report", required: true);
            }

            if (resolutions.Contains(ResolutionKind.MoreTime))
            {
                Form(html, action, formSecret, "more-time", "What do you still need to do? (optional; you can ask once)", "Ask for more time", required: false);
            }
        }

        html.Append("<h2>Evidence</h2><ol class=\"events\">");
        foreach (var item in detail.Events)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li><strong>{e(item.ReportType)}</strong> {e(item.Ip)} {e(item.Url)} <span class=\"muted\">{e(item.OccurredAt is { } at ? Time(at) : "")}</span>");
            if (!string.IsNullOrEmpty(item.Evidence))
            {
                html.Append(CultureInfo.InvariantCulture, $"<pre class=\"evidence\">{e(item.Evidence)}</pre>");
            }

            html.Append("</li>");
        }

        html.Append("</ol>");
        if (state.EventCount > detail.Events.Count)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">Showing {detail.Events.Count} of {state.EventCount} reports.</p>");
        }

        html.Append("<h2>Conversation and history</h2><ol class=\"history\">");
        foreach (var entry in detail.History)
        {
            var who = entry.Actor switch
            {
                CaseStateMachine.Customer => "You",
                CaseStateMachine.System => "AbuseDesk",
                _ => "Abuse team",
            };
            // Ops reasons are internal notes, except what ops chose to tell the customer.
            var shown = entry.Actor is CaseStateMachine.Customer or CaseStateMachine.System || entry.What == "ops-message" ? entry.Detail : null;
            html.Append(CultureInfo.InvariantCulture, $"<li><strong>{e(who)}</strong> — {e(entry.What)} <span class=\"muted\">{e(Time(entry.At))}</span>");
            if (!string.IsNullOrEmpty(shown))
            {
                html.Append(CultureInfo.InvariantCulture, $"<div class=\"evidence\">{e(shown)}</div>");
            }

            html.Append("</li>");
        }

        html.Append("</ol><h2>Write to the abuse team</h2>");
        Form(html, action, formSecret, "message", "Your message", "Send message", required: true);
        html.Append("</main></body></html>");
        return html.ToString();
    }

    public static string Message(string title, string text)
    {
        static string e(string value) => WebUtility.HtmlEncode(value);
        return $"{Head(title)}<h1>{e(title)}</h1><p>{e(text)}</p></main></body></html>";
    }

    private static string Head(string title) =>
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + $"<title>{WebUtility.HtmlEncode(title)} — AbuseDesk</title><link rel=\"stylesheet\" href=\"/portal/assets/portal.css\"></head><body><main>";

    private static void Fact(StringBuilder html, string name, object? value, Func<object?, string> e)
    {
        if (value is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<dt>{e(name)}</dt><dd>{e(value)}</dd>");
        }
    }

    private static void Form(StringBuilder html, string action, string formSecret, string kind, string label, string button, bool required)
    {
        var id = $"text-{kind}";
        html.Append(CultureInfo.InvariantCulture, $"""
            <form method="post" action="{action}">
            <input type="hidden" name="csrf" value="{WebUtility.HtmlEncode(formSecret)}">
            <input type="hidden" name="action" value="{kind}">
            <label for="{id}">{WebUtility.HtmlEncode(label)}</label>
            <textarea id="{id}" name="text" maxlength="4000"{(required ? " required" : "")}></textarea>
            <p><button type="submit">{WebUtility.HtmlEncode(button)}</button></p>
            </form>
            """);
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
