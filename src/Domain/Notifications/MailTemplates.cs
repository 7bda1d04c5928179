using System.Collections.Frozen;
using System.Net;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;

namespace AbuseDesk.Domain.Notifications;

/// <summary>
/// The Scriban templates embedded from Templates/{language}/*.sbn, parsed once per process. Text parts render
/// as written; HTML parts render through <see cref="HtmlEscapingContext"/>, which escapes every value a
/// template outputs, so a template cannot forget to escape report or customer text.
/// </summary>
internal static class MailTemplates
{
    private const string ResourcePrefix = "templates/";

    private static readonly FrozenDictionary<string, Template> Parsed = Load();

    public static readonly IReadOnlyList<string> Languages = Parsed.Keys
        .Select(k => k[..k.IndexOf('/', StringComparison.Ordinal)])
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>The template's names in one language (e.g. "first-notice.sbn"), for completeness checks.</summary>
    public static IEnumerable<string> NamesIn(string language) =>
        Parsed.Keys.Where(k => k.StartsWith(language + "/", StringComparison.Ordinal)).Select(k => k[(language.Length + 1)..]);

    /// <summary>Renders <paramref name="name"/> of the language; assignments and captures it makes land in <paramref name="model"/>.</summary>
    public static string Render(string language, string name, ScriptObject model, bool html)
    {
        var key = $"{language}/{name}";
        if (!Parsed.TryGetValue(key, out var template))
        {
            // Every language has every template (a test checks it); this only guards a half-added language.
            template = Parsed[$"{MailLanguages.Default}/{name}"];
        }

        var context = html ? new HtmlEscapingContext() : new TemplateContext();
        // A misspelt variable fails the render (and the tests) instead of vanishing from a customer's mail.
        context.StrictVariables = true;
        context.PushGlobal(model);
        return template.Render(context);
    }

    private static FrozenDictionary<string, Template> Load()
    {
        var assembly = typeof(MailTemplates).Assembly;
        var templates = new Dictionary<string, Template>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var name = resource.Replace('\\', '/');
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var key = name[ResourcePrefix.Length..];
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var template = Template.Parse(reader.ReadToEnd(), key);
            if (template.HasErrors)
            {
                throw new InvalidOperationException($"mail template {key} does not parse: {string.Join("; ", template.Messages)}");
            }

            templates[key] = template;
        }

        return templates.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Escapes everything written from an expression; the template's own markup is written as is.</summary>
    private sealed class HtmlEscapingContext : TemplateContext
    {
        public override TemplateContext Write(SourceSpan span, object? textAsObject) =>
            base.Write(span, WebUtility.HtmlEncode(ObjectToString(textAsObject)));
    }
}
