using System.Globalization;
using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;
using Scriban.Runtime;

namespace AbuseDesk.Domain.Notifications;

public sealed record MailContent(string Subject, string Text, string Html);

/// <summary>One case in a customer's digest: the case, its signed link, and how many events arrived since the last mail.</summary>
public sealed record DigestItem(CaseState Case, string PortalUrl, int NewEvents);

/// <summary>
/// Renders the mails a case sends its customer from the templates in Templates/{language}/: plain text and
/// HTML, each saying what happened, what to do, by when and how to answer. A pure function of its inputs.
/// Each kind's template captures <c>subject</c>, <c>lead</c> and <c>todo</c>; the language's layout turns
/// them and the case's facts into the two parts. Everything that came from a report or a person is escaped
/// in the HTML part by the rendering context, not by each template.
/// </summary>
public static class CaseMail
{
    public static string Tag(string caseId) => $"[AbuseDesk #{caseId}]";

    /// <summary>Template file of each kind, in every language.</summary>
    public static string TemplateName(NotificationKind kind) => kind switch
    {
        NotificationKind.FirstNotice => "first-notice.sbn",
        NotificationKind.Digest => "digest.sbn",
        NotificationKind.Reminder => "reminder.sbn",
        NotificationKind.DeadlineReached => "deadline-reached.sbn",
        NotificationKind.Suspended => "suspended.sbn",
        NotificationKind.Escalated => "escalated.sbn",
        NotificationKind.Reinstated => "reinstated.sbn",
        NotificationKind.ResolutionAccepted => "resolution-accepted.sbn",
        NotificationKind.OpsMessage => "ops-message.sbn",
        NotificationKind.Terminated => "terminated.sbn",
        NotificationKind.ReporterReply => "reporter-reply.sbn",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no template for this kind"),
    };

    /// <summary>Kinds whose mail still asks for something by the deadline; the others leave it out.</summary>
    private static bool ShowsDeadline(NotificationKind kind) =>
        kind is NotificationKind.FirstNotice or NotificationKind.Digest or NotificationKind.Reminder
            or NotificationKind.DeadlineReached or NotificationKind.OpsMessage or NotificationKind.Escalated
            or NotificationKind.ReporterReply;

    public static MailContent Compose(NotificationKind kind, CaseState state, string portalUrl, string? text = null, string? language = null)
    {
        var lang = MailLanguages.Normalize(language);
        var model = CaseModel(state, CheckedUrl(portalUrl), ShowsDeadline(kind));
        model["lang"] = lang;
        model["text"] = string.IsNullOrWhiteSpace(text) ? null : text;

        return Render(lang, TemplateName(kind), "layout", Tag(state.CaseId), model);
    }

    /// <summary>
    /// Runs a mail's sentence template (it only captures subject, lead and todo; what it writes outside captures is
    /// dropped), then lays the sentences out as the text and HTML parts.
    /// </summary>
    internal static MailContent Render(string lang, string sentences, string layout, string subjectPrefix, ScriptObject model)
    {
        MailTemplates.Render(lang, sentences, model, html: false);
        var subject = $"{subjectPrefix} {OneLine(Captured(model, "subject"))}";
        model["subject"] = subject;
        model["lead"] = Captured(model, "lead");
        model["todo"] = Captured(model, "todo");

        return new MailContent(
            subject,
            Tidy(MailTemplates.Render(lang, $"{layout}.txt.sbn", model, html: false)),
            MailTemplates.Render(lang, $"{layout}.html.sbn", model, html: true).Trim() + "\n");
    }

    /// <summary>
    /// One mail listing every case of one customer that has news in the digest window. Its subject names no single
    /// case (replies to it cannot be threaded into one), so each entry carries its own tag and link.
    /// </summary>
    public static MailContent ComposeCustomerDigest(IReadOnlyList<DigestItem> items, string language)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            throw new ArgumentException("a customer digest lists at least one case", nameof(items));
        }

        var lang = MailLanguages.Normalize(language);
        var model = new ScriptObject
        {
            ["lang"] = lang,
            ["case_count"] = items.Count,
            ["new_events"] = items.Sum(i => Math.Max(0, i.NewEvents)),
            ["cases"] = items.Select(i =>
            {
                var entry = CaseModel(i.Case, CheckedUrl(i.PortalUrl), showDeadline: true);
                entry["new_events"] = Math.Max(0, i.NewEvents);
                return entry;
            }).ToArray(),
        };

        return Render(lang, "customer-digest.sbn", "customer-digest", "[AbuseDesk]", model);
    }

    private static ScriptObject CaseModel(CaseState state, string portalUrl, bool showDeadline)
    {
        var deadline = showDeadline ? state.Deadline?.ToUniversalTime() : null;
        return new ScriptObject
        {
            ["case_id"] = state.CaseId,
            ["tag"] = Tag(state.CaseId),
            ["resource"] = state.ResourceId,
            ["ip"] = state.Ip,
            // Where the activity comes from, for sentences: the address when known, else the resource.
            ["source"] = state.Ip ?? state.ResourceId,
            ["type"] = state.AbuseClass.ToWireName(),
            ["event_count"] = state.EventCount,
            ["deadline"] = deadline?.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            ["deadline_iso"] = deadline?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["portal_url"] = portalUrl,
        };
    }

    /// <summary>Links go into href attributes: only absolute http(s) URLs, never a relative or script URL.</summary>
    private static string CheckedUrl(string portalUrl) =>
        Uri.TryCreate(portalUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? portalUrl
            : throw new ArgumentException($"the portal URL must be absolute http(s): '{portalUrl}'", nameof(portalUrl));

    private static string Captured(ScriptObject model, string name) =>
        // A capture holds Scriban's output buffer; its text is what the template wrote.
        model.TryGetValue(name, out var value) && value?.ToString() is { } s && !string.IsNullOrWhiteSpace(s)
            ? s.Trim()
            : throw new InvalidOperationException($"mail template did not capture '{name}'");

    // A subject is one header line whatever a resource id or a template holds.
    private static string OneLine(string value) =>
        string.Join(' ', value.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    // Line endings as the SMTP layer expects to convert them, and exactly one final newline.
    private static string Tidy(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\n') + "\n";
}
