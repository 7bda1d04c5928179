using System.Globalization;
using System.Text;

namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Crude HTML to text for complaints sent as HTML only. Nothing is rendered, fetched or executed: tags are
/// dropped, script and style bodies skipped, a few entities decoded, and link targets kept as text because
/// a phishing complaint often names the site only in an href.
/// </summary>
internal static class HtmlText
{
    // A tag longer than this is not markup a mail client wrote; it is cut so one '<' cannot hide the rest.
    private const int MaxTagLength = 4096;

    public static string ToText(string html)
    {
        var text = new StringBuilder(html.Length / 2);
        var i = 0;
        while (i < html.Length)
        {
            var c = html[i];
            if (c == '<')
            {
                i = SkipTag(html, i, text);
                continue;
            }

            if (c == '&')
            {
                i = AppendEntity(html, i, text);
                continue;
            }

            text.Append(c);
            i++;
        }

        return text.ToString();
    }

    /// <summary>Skips the tag at <paramref name="start"/>; returns where the text continues.</summary>
    private static int SkipTag(string html, int start, StringBuilder text)
    {
        if (string.CompareOrdinal(html, start, "<!--", 0, 4) == 0)
        {
            var endComment = html.IndexOf("-->", start + 4, StringComparison.Ordinal);
            return endComment < 0 ? html.Length : endComment + 3;
        }

        var limit = Math.Min(html.Length, start + MaxTagLength);
        var end = html.IndexOf('>', start + 1, limit - start - 1);
        if (end < 0)
        {
            text.Append(' ');
            return limit;
        }

        var tag = html.AsSpan(start + 1, end - start - 1);
        var name = TagName(tag);
        if (name.Equals("script", StringComparison.OrdinalIgnoreCase) || name.Equals("style", StringComparison.OrdinalIgnoreCase))
        {
            var close = html.IndexOf("</" + name.ToString(), end + 1, StringComparison.OrdinalIgnoreCase);
            return close < 0 ? html.Length : close;
        }

        if (name.Equals("a", StringComparison.OrdinalIgnoreCase) && Href(tag) is { } href)
        {
            text.Append(' ').Append(href).Append(' ');
        }

        // Block elements and <br> separate lines; everything else at least separates words.
        text.Append(name.Equals("br", StringComparison.OrdinalIgnoreCase) || name.Equals("p", StringComparison.OrdinalIgnoreCase)
            || name.Equals("/p", StringComparison.OrdinalIgnoreCase) || name.Equals("div", StringComparison.OrdinalIgnoreCase)
            || name.Equals("tr", StringComparison.OrdinalIgnoreCase) || name.Equals("li", StringComparison.OrdinalIgnoreCase)
            ? '\n'
            : ' ');
        return end + 1;
    }

    private static ReadOnlySpan<char> TagName(ReadOnlySpan<char> tag)
    {
        var length = 0;
        while (length < tag.Length && (char.IsAsciiLetterOrDigit(tag[length]) || (length == 0 && tag[0] == '/')))
        {
            length++;
        }

        return tag[..length];
    }

    private static string? Href(ReadOnlySpan<char> tag)
    {
        var at = tag.IndexOf("href", StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return null;
        }

        var rest = tag[(at + 4)..].TrimStart();
        if (rest.IsEmpty || rest[0] != '=')
        {
            return null;
        }

        rest = rest[1..].TrimStart();
        if (rest.IsEmpty)
        {
            return null;
        }

        var quote = rest[0];
        if (quote is '"' or '\'')
        {
            rest = rest[1..];
            var close = rest.IndexOf(quote);
            return DecodeEntities((close < 0 ? rest : rest[..close]).ToString());
        }

        var space = rest.IndexOfAny(' ', '\t', '\n');
        return DecodeEntities((space < 0 ? rest : rest[..space]).ToString());
    }

    private static string DecodeEntities(string value)
    {
        if (!value.Contains('&', StringComparison.Ordinal))
        {
            return value;
        }

        var text = new StringBuilder(value.Length);
        var i = 0;
        while (i < value.Length)
        {
            if (value[i] == '&')
            {
                i = AppendEntity(value, i, text);
            }
            else
            {
                text.Append(value[i++]);
            }
        }

        return text.ToString();
    }

    /// <summary>Appends the entity at <paramref name="start"/> decoded (a few named ones and numeric ones).</summary>
    private static int AppendEntity(string html, int start, StringBuilder text)
    {
        var semicolon = html.IndexOf(';', start + 1, Math.Min(10, html.Length - start - 1));
        if (semicolon < 0)
        {
            text.Append('&');
            return start + 1;
        }

        var entity = html.AsSpan(start + 1, semicolon - start - 1);
        string? decoded = entity switch
        {
            "amp" => "&",
            "lt" => "<",
            "gt" => ">",
            "quot" => "\"",
            "apos" => "'",
            "nbsp" => " ",
            _ => Numeric(entity),
        };
        if (decoded is null)
        {
            text.Append('&');
            return start + 1;
        }

        text.Append(decoded);
        return semicolon + 1;
    }

    private static string? Numeric(ReadOnlySpan<char> entity)
    {
        if (entity.Length < 2 || entity[0] != '#')
        {
            return null;
        }

        var hex = entity[1] is 'x' or 'X';
        var digits = entity[(hex ? 2 : 1)..];
        if (!int.TryParse(digits, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            || code is <= 0 or > 0x10FFFF || (code is >= 0xD800 and <= 0xDFFF))
        {
            return null;
        }

        return char.ConvertFromUtf32(code);
    }
}
