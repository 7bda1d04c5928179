using System.Text;
using System.Text.RegularExpressions;

namespace AbuseDesk.Domain.Notifications;

/// <summary>
/// Reads a mail that may answer a case: which case it answers, and the sender's own words in it.
/// Everything here is the sender's to write, so nothing is trusted beyond pointing at a case: the caller checks that
/// the sender is a party of that case.
/// </summary>
public static partial class ReplyMail
{
    /// <summary>
    /// The case a reply answers, or null. The references come first: a reply carries our Message-ID in In-Reply-To or
    /// References ("case-{id}@domain", the case's thread root, or "{id}.000007@domain", one of its mails), and only
    /// ids of <paramref name="ourDomain"/> count. Failing those, the tag in the subject ("[AbuseDesk #{id}]"), which the
    /// notices ask the customer to keep when they reply.
    /// </summary>
    public static string? CaseIdIn(string? subject, IEnumerable<string?> references, string ourDomain)
    {
        foreach (var reference in references)
        {
            if (reference is null)
            {
                continue;
            }

            var id = reference.Trim().Trim('<', '>');
            var at = id.LastIndexOf('@');
            if (at <= 0 || !string.Equals(id[(at + 1)..], ourDomain, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var match = OurMessageId().Match(id[..at]);
            if (match.Success)
            {
                return match.Groups["case"].Value;
            }
        }

        if (subject is not null)
        {
            var tag = SubjectTag().Match(subject.Length > 1000 ? subject[..1000] : subject);
            if (tag.Success)
            {
                return tag.Groups["case"].Value;
            }
        }

        return null;
    }

    /// <summary>
    /// The reply's own words: the text up to where it starts quoting what it answers ("On … wrote:", "Am … schrieb",
    /// an "Original Message" line, or Outlook's underscore rule) and before a signature ("-- "); lines quoted
    /// in between are left out, blank runs squeezed, and the result cut at <paramref name="maxLength"/> characters.
    /// </summary>
    public static string OwnWords(string? body, int maxLength)
    {
        if (string.IsNullOrEmpty(body))
        {
            return "";
        }

        var kept = new StringBuilder();
        var blank = false;
        // A reply is read at most this far: its own words come first, and the rest is what it quotes.
        var text = body.Length > maxLength * 4 ? body[..(maxLength * 4)] : body;
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var raw = lines[i];
            var line = raw.TrimEnd();
            // Mail programs wrap a long "On …, Someone <address> wrote:" over two lines.
            if (line == "--" || QuoteHeader().IsMatch(line) || (i + 1 < lines.Length && QuoteHeader().IsMatch($"{line} {lines[i + 1].Trim()}")))
            {
                break;
            }

            if (line.StartsWith('>'))
            {
                continue;
            }

            if (line.Length == 0)
            {
                blank = kept.Length > 0;
                continue;
            }

            if (blank)
            {
                kept.Append('\n');
                blank = false;
            }

            kept.Append(line).Append('\n');
        }

        var words = kept.ToString().Trim();
        return words.Length <= maxLength ? words : words[..maxLength];
    }

    [GeneratedRegex(@"^(?:case-(?<case>\d{8}-[0-9a-f]{12})|(?<case>\d{8}-[0-9a-f]{12})\.\d{6,9})$", RegexOptions.CultureInvariant)]
    private static partial Regex OurMessageId();

    [GeneratedRegex(@"\[AbuseDesk #(?<case>\d{8}-[0-9a-f]{12})\]", RegexOptions.CultureInvariant)]
    private static partial Regex SubjectTag();

    [GeneratedRegex(@"^(?:On\s.{1,300}\swrote:|Am\s.{1,300}\sschrieb.{0,40}:|-{2,}\s*(?:Original Message|Ursprüngliche Nachricht)\s*-{2,}|_{10,})$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex QuoteHeader();
}
