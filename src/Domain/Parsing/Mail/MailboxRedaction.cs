using System.Text;

namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Removes email addresses from text that is shown to the customer as evidence. A complaint quotes the
/// complainant's own address; handing it to whoever sent the spam lets them wash their list or retaliate.
/// </summary>
internal static class MailboxRedaction
{
    public const string Placeholder = "[address removed]";

    /// <summary>For short texts (evidence lines): each '@' looks at its neighbours only.</summary>
    public static string Redact(string text)
    {
        if (!text.Contains('@', StringComparison.Ordinal))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        var copied = 0;
        var at = text.IndexOf('@', StringComparison.Ordinal);
        while (at >= 0)
        {
            var start = at;
            while (start > copied && IsLocalChar(text[start - 1]))
            {
                start--;
            }

            var end = at + 1;
            while (end < text.Length && IsDomainChar(text[end]))
            {
                end++;
            }

            var domain = text.AsSpan(at + 1, end - at - 1).TrimEnd('.');
            if (start < at && domain.Contains('.'))
            {
                result.Append(text, copied, start - copied).Append(Placeholder);
                copied = at + 1 + domain.Length;
            }

            at = text.IndexOf('@', Math.Max(at + 1, copied));
        }

        return result.Append(text, copied, text.Length - copied).ToString();
    }

    private static bool IsLocalChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-' or '=';

    private static bool IsDomainChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '-';
}
