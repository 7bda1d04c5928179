using System.Globalization;
using System.Net;
using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Notifications;

public sealed record MailContent(string Subject, string Text, string Html);

/// <summary>One case in a customer's digest: its state, its portal link, and how many events are new to the customer.</summary>
public sealed record DigestItem(CaseState Case, string PortalUrl, int NewEvents);

/// <summary>
/// Renders the mails a case sends its customer: plain text and HTML, each saying what happened, what to do,
/// by when and how to answer. Everything that came from a report or a person is HTML-encoded.
/// </summary>
public static class CaseMail
{
    public static string Tag(string caseId) => $"[AbuseDesk #{caseId}]";

    public static MailContent Compose(NotificationKind kind, CaseState state, string portalUrl, string? text = null)
    {
        var what = state.AbuseClass.ToWireName();
        var deadline = state.Deadline is { } d ? d.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : null;
        var (subject, lead, todo) = kind switch
        {
            NotificationKind.FirstNotice => (
                $"Abuse report: {what} from {state.Ip ?? state.ResourceId}",
                $"We received {Plural(state.EventCount, "report")} of {what} coming from {state.Ip ?? "your service"} ({state.ResourceId}).",
                deadline is null
                    ? "Please look into it and tell us what you found or fixed."
                    : $"Please stop the activity and record how you solved it before {deadline}."),
            NotificationKind.Reminder => (
                $"Reminder: {what} from {state.Ip ?? state.ResourceId} is still open",
                $"The {what} case for {state.ResourceId} is still open.",
                deadline is null ? "Please record how you solved it." : $"Please record how you solved it before {deadline}."),
            NotificationKind.DeadlineReached => (
                $"Deadline passed: {what} from {state.Ip ?? state.ResourceId}",
                $"The deadline for the {what} case on {state.ResourceId} has passed without a resolution.",
                "Our abuse team is reviewing the case now. Record your resolution or write to us as soon as possible."),
            NotificationKind.Digest => (
                $"Update: more reports of {what} from {state.Ip ?? state.ResourceId}",
                $"Since our last mail we received more reports about {state.ResourceId} ({state.EventCount} in total).",
                deadline is null ? "Please look into it and tell us what you found or fixed." : $"The deadline is unchanged: record how you solved it before {deadline}."),
            NotificationKind.Suspended => (
                $"Suspended: {state.ResourceId} ({what})",
                $"The deadline passed without a resolution, so {state.ResourceId} has been suspended.",
                "Fix the problem and record what you did on the case page; the abuse team will review it and lift the suspension."),
            NotificationKind.Escalated => (
                $"Under review: {what} case for {state.ResourceId}",
                "A person in our abuse team is now reviewing this case.",
                "You do not need to do anything else right now; we will write to you. You can add information on the case page."),
            NotificationKind.Reinstated => (
                $"Reinstated: {state.ResourceId}",
                $"The suspension of {state.ResourceId} has been lifted.",
                "Please make sure the problem does not come back; new reports open a new case."),
            NotificationKind.Terminated => (
                $"Service terminated: {state.ResourceId}",
                $"After review by two members of our abuse team, the service {state.ResourceId} has been terminated.",
                "If you believe this is wrong, reply to this mail; a person will answer."),
            NotificationKind.ResolutionAccepted => (
                $"Resolved: {what} from {state.Ip ?? state.ResourceId}",
                "Thank you: we recorded your resolution and closed the case.",
                "Nothing more is needed. If the activity comes back, we will open a new case."),
            _ => (
                $"Message from the abuse team about {state.ResourceId}",
                "The abuse team wrote to you about this case:",
                "Answer on the case page or by replying to this mail."),
        };
        subject = $"{Tag(state.CaseId)} {subject}";

        var textBody = string.Join("\n", new[]
        {
            lead,
            text is null ? null : $"\n{text}\n",
            todo,
            "",
            $"Case:     {state.CaseId}",
            $"Resource: {state.ResourceId}",
            state.Ip is null ? null : $"Address:  {state.Ip}",
            $"Type:     {what}",
            deadline is null ? null : $"Deadline: {deadline}",
            "",
            "See the evidence, answer and record your resolution here:",
            portalUrl,
            "",
            "You can also reply to this mail; keep the case tag in the subject.",
        }.Where(l => l is not null));

        var e = (string? s) => WebUtility.HtmlEncode(s ?? "");
        var html = $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{e(subject)}</title></head>
            <body style="font-family: sans-serif; line-height: 1.5; color: #111;">
            <p>{e(lead)}</p>
            {(text is null ? "" : $"<blockquote style=\"white-space: pre-wrap;\">{e(text)}</blockquote>")}
            <p><strong>{e(todo)}</strong></p>
            <table role="presentation">
            <tr><th align="left">Case</th><td>{e(state.CaseId)}</td></tr>
            <tr><th align="left">Resource</th><td>{e(state.ResourceId)}</td></tr>
            {(state.Ip is null ? "" : $"<tr><th align=\"left\">Address</th><td>{e(state.Ip)}</td></tr>")}
            <tr><th align="left">Type</th><td>{e(what)}</td></tr>
            {(deadline is null ? "" : $"<tr><th align=\"left\">Deadline</th><td>{e(deadline)}</td></tr>")}
            </table>
            <p><a href="{e(portalUrl)}">Open the case: see the evidence and record your resolution</a></p>
            <p>You can also reply to this mail; keep the case tag in the subject.</p>
            </body></html>
            """;
        return new MailContent(subject, textBody, html);
    }

    /// <summary>One mail for all of a customer's cases with news since they were last told.</summary>
    public static MailContent ComposeCustomerDigest(IReadOnlyList<DigestItem> items, string language = "en")
    {
        _ = language;
        var subject = $"[AbuseDesk] Update: new reports on {Plural(items.Count, "open case")}";
        var lines = items.Select(i => (
            Line: $"{i.Case.CaseId}: {Plural(i.NewEvents, "new report")} of {i.Case.AbuseClass.ToWireName()} from {i.Case.Ip ?? i.Case.ResourceId} ({i.Case.ResourceId})"
                + (i.Case.Deadline is { } d ? $", deadline {d.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}" : ""),
            i.PortalUrl)).ToList();
        var text = string.Join("\n", new[] { "Since our last mail we received more reports about these open cases:", "" }
            .Concat(lines.SelectMany(l => new[] { "- " + l.Line, "  " + l.PortalUrl }))
            .Concat(["", "Open each case to see the evidence and record how you solved it. Deadlines are unchanged.",
                "You can also reply to the case's own mail; keep its case tag in the subject."]));
        var e = (string? v) => WebUtility.HtmlEncode(v ?? "");
        var html = $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{e(subject)}</title></head>
            <body style="font-family: sans-serif; line-height: 1.5; color: #111;">
            <p>Since our last mail we received more reports about these open cases:</p>
            <ul>{string.Concat(lines.Select(l => $"<li>{e(l.Line)} — <a href=\"{e(l.PortalUrl)}\">open the case</a></li>"))}</ul>
            <p>Open each case to see the evidence and record how you solved it. Deadlines are unchanged.</p>
            </body></html>
            """;
        return new MailContent(subject, text, html);
    }

    private static string Plural(int n, string word) => n == 1 ? $"1 {word}" : $"{n} {word}s";
}
