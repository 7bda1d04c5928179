using System.Globalization;
using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Notifications;
using AbuseDesk.Domain.Parsing;
using Scriban.Runtime;

namespace AbuseDesk.Domain.Feedback;

/// <summary>
/// The two mails a reporter who asked for feedback gets about one report: what parsing made of it, and, once every
/// case it fed has ended, how they ended. Rendered from Templates/{language}/reporter-*.sbn through the same escaping
/// context as customer mails (report text and file names are attacker-controlled). The models carry counts, abuse
/// classes and outcomes only: nothing that names or points at a customer can reach the templates.
/// </summary>
public static class ReporterMail
{
    public const string Tag = "[AbuseDesk]";

    /// <summary>Above this many characters a gathered mail lists its reports without their detail lines (a stored mail part holds 32K).</summary>
    public const int MaxGatheredChars = 28_000;

    private const int MaxLineChars = 300;

    public static MailContent ComposeParsed(ReportParsedFacts facts, string? language = null) => Compose([ParsedSection(facts, language)], language);

    public static MailContent ComposeCasesEnded(ReportCasesEndedFacts facts, string? language = null) => Compose([CasesEndedSection(facts, language)], language);

    /// <summary>What parsing made of one report, as one section of a reporter's feedback.</summary>
    public static FeedbackSection ParsedSection(ReportParsedFacts facts, string? language = null)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var model = ReportModel(facts.Report, language);
        model["failed"] = facts.Failed;
        model["error"] = facts.Failed ? (string.IsNullOrWhiteSpace(facts.Error) ? null : facts.Error.Trim()) : null;
        model["event_count"] = facts.EventCount;
        model["routed_count"] = facts.RoutedCount;
        model["unrouted_count"] = facts.UnroutedCount;
        model["case_count"] = facts.CaseCount;
        model["reasons"] = facts.Reasons
            .Where(r => r.Count > 0)
            .OrderByDescending(r => r.Count).ThenBy(r => r.Code, StringComparer.Ordinal)
            .Select(r => new ScriptObject { ["code"] = r.Code, ["count"] = r.Count })
            .ToArray();
        model["reasons_sampled"] = facts.ReasonsSampled;
        model["follow_up"] = facts.FollowUp && !facts.Failed && facts.RoutedCount > 0;
        return Section(facts.Report, "reporter-parsed.sbn", model);
    }

    /// <summary>How the cases one report fed ended, as one section of a reporter's feedback.</summary>
    public static FeedbackSection CasesEndedSection(ReportCasesEndedFacts facts, string? language = null)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (facts.Cases.Count == 0)
        {
            throw new ArgumentException("a cases-ended mail is about at least one case", nameof(facts));
        }

        var model = ReportModel(facts.Report, language);
        model["case_count"] = facts.Cases.Count;
        model["outcomes"] = facts.Cases
            .GroupBy(c => (Outcome: EventOutcomes.For(null, c.Status), Type: c.AbuseClass.ToWireName()))
            .OrderBy(g => g.Key.Outcome, StringComparer.Ordinal).ThenBy(g => g.Key.Type, StringComparer.Ordinal)
            .Select(g => new ScriptObject { ["code"] = g.Key.Outcome, ["type"] = g.Key.Type, ["count"] = g.Count() })
            .ToArray();
        return Section(facts.Report, "reporter-ended.sbn", model);
    }

    /// <summary>
    /// One mail for everything a reporter is owed in a window. A single section is the report's own mail, word for word
    /// what a report always got; several become one list, a section per report, headline and detail lines (the
    /// thank-you lead is said once). Every value is escaped in the HTML part: file names and parser errors come from
    /// whoever sent the report.
    /// </summary>
    public static MailContent Compose(IReadOnlyList<FeedbackSection> sections, string? language = null)
    {
        ArgumentNullException.ThrowIfNull(sections);
        if (sections.Count == 0)
        {
            throw new ArgumentException("a feedback mail is about at least one report", nameof(sections));
        }

        var lang = MailLanguages.Normalize(language);
        if (sections.Count == 1)
        {
            var section = sections[0];
            var model = ReportModel(section.Report, lang);
            var subject = $"{Tag} {section.Headline}";
            model["subject"] = subject;
            model["lead"] = section.Lead;
            model["details"] = section.Details.ToArray();
            return new MailContent(
                subject,
                Tidy(MailTemplates.Render(lang, "reporter-layout.txt.sbn", model, html: false)),
                MailTemplates.Render(lang, "reporter-layout.html.sbn", model, html: true).Trim() + "\n");
        }

        var full = Gathered(sections, lang, withDetails: true);
        // A burst of long parser errors must not make a mail too big to store: then the headlines only, and the API.
        return full.Text.Length <= MaxGatheredChars && full.Html.Length <= MaxGatheredChars ? full : Gathered(sections, lang, withDetails: false);
    }

    private static MailContent Gathered(IReadOnlyList<FeedbackSection> sections, string lang, bool withDetails)
    {
        var model = new ScriptObject
        {
            ["lang"] = lang,
            ["report_count"] = sections.Select(s => s.Report.ReportId).Distinct(StringComparer.Ordinal).Count(),
            ["details_left_out"] = !withDetails,
        };
        MailTemplates.Render(lang, "reporter-gathered.sbn", model, html: false);
        var subject = $"{Tag} {OneLine(Captured(model, "subject"))}";
        model["subject"] = subject;
        model["lead"] = Captured(model, "lead");
        model["sections"] = sections.Select(s =>
        {
            var report = ReportModel(s.Report, lang);
            report["headline"] = s.Headline;
            report["details"] = withDetails ? s.Details.Select(d => Bounded(OneLine(d))).ToArray() : Array.Empty<string>();
            return report;
        }).ToArray();
        return new MailContent(
            subject,
            Tidy(MailTemplates.Render(lang, "reporter-gathered.txt.sbn", model, html: false)),
            MailTemplates.Render(lang, "reporter-gathered.html.sbn", model, html: true).Trim() + "\n");
    }

    private static ScriptObject ReportModel(ReportFacts report, string? language) => new()
    {
        ["lang"] = MailLanguages.Normalize(language),
        ["report_id"] = report.ReportId,
        ["received_at"] = report.ReceivedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
        ["file_name"] = string.IsNullOrWhiteSpace(report.FileName) ? null : OneLine(report.FileName),
    };

    /// <summary>The kind's template captures subject and lead and lists details: the parts a mail is made of.</summary>
    private static FeedbackSection Section(ReportFacts report, string template, ScriptObject model)
    {
        var lang = model["lang"]?.ToString() ?? MailLanguages.Default;
        MailTemplates.Render(lang, template, model, html: false);
        var details = model.TryGetValue("details", out var list) && list is IEnumerable<object> items
            ? items.Select(d => d?.ToString()?.Trim()).Where(d => !string.IsNullOrEmpty(d)).Select(d => d!).ToArray()
            : [];
        return new FeedbackSection(report, OneLine(Captured(model, "subject")), Captured(model, "lead"), details);
    }

    private static string Bounded(string line) => line.Length <= MaxLineChars ? line : line[..(MaxLineChars - 1)] + "…";

    private static string Captured(ScriptObject model, string name) =>
        model.TryGetValue(name, out var value) && value?.ToString() is { } s && !string.IsNullOrWhiteSpace(s)
            ? s.Trim()
            : throw new InvalidOperationException($"reporter mail template did not capture '{name}'");

    // A subject is one header line whatever a file name holds.
    private static string OneLine(string value) =>
        string.Join(' ', value.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string Tidy(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\n') + "\n";
}
