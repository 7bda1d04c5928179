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

    public static MailContent ComposeParsed(ReportParsedFacts facts, string? language = null)
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
        return Render("reporter-parsed.sbn", model);
    }

    public static MailContent ComposeCasesEnded(ReportCasesEndedFacts facts, string? language = null)
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
        return Render("reporter-ended.sbn", model);
    }

    private static ScriptObject ReportModel(ReportFacts report, string? language) => new()
    {
        ["lang"] = MailLanguages.Normalize(language),
        ["report_id"] = report.ReportId,
        ["received_at"] = report.ReceivedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
        ["file_name"] = string.IsNullOrWhiteSpace(report.FileName) ? null : OneLine(report.FileName),
    };

    /// <summary>The kind's template captures subject and lead and lists details; the reporter layout makes the two parts.</summary>
    private static MailContent Render(string template, ScriptObject model)
    {
        var lang = model["lang"]?.ToString() ?? MailLanguages.Default;
        MailTemplates.Render(lang, template, model, html: false);
        var subject = $"{Tag} {OneLine(Captured(model, "subject"))}";
        model["subject"] = subject;
        model["lead"] = Captured(model, "lead");
        model["details"] = model.TryGetValue("details", out var details) && details is IEnumerable<object> list
            ? list.Select(d => d?.ToString()?.Trim()).Where(d => !string.IsNullOrEmpty(d)).ToArray()
            : Array.Empty<string>();
        return new MailContent(
            subject,
            Tidy(MailTemplates.Render(lang, "reporter-layout.txt.sbn", model, html: false)),
            MailTemplates.Render(lang, "reporter-layout.html.sbn", model, html: true).Trim() + "\n");
    }

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
