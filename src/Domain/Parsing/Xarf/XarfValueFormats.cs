using System.Globalization;
using System.Text.RegularExpressions;
using MimeKit.Utils;

namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>
/// The string formats XARF schemas name (date-time, email, hostname, uri), checked the way a JSON-schema
/// validator would, so a report rejected here would be rejected by the reporter's own validator too.
/// </summary>
internal static partial class XarfValueFormats
{
    public const int MaxUrlLength = 4096;

    // RFC 3339 date-time: seconds are mandatory, and so is the zone. A time without a zone could be any of
    // 26 hours, and a customer is asked to find the event in their logs by it.
    private static readonly string[] DateTimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
    ];

    private static readonly string[] ToolDateFormats = ["MMM d yyyy HH:mm:ss zzz", "yyyy-MM-dd HH:mm:ss zzz"];

    public static bool TryParseDateTime(string? text, out DateTimeOffset time)
    {
        time = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 64)
        {
            return false;
        }

        // RFC 3339 allows the lower-case separators too.
        var candidate = text.Trim().ToUpperInvariant();
        if (!DateTimeOffset.TryParseExact(candidate, DateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time))
        {
            return false;
        }

        time = time.ToUniversalTime();
        return true;
    }

    /// <summary>
    /// X-ARF mails write Date as RFC 3339, as an RFC 5322 mail date, or as the X-ARF tools do
    /// ("Feb  3 2014 02:13:35 +0100"); every form must carry a zone.
    /// </summary>
    public static bool TryParseMailOrIsoDate(string? text, out DateTimeOffset time)
    {
        time = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 128)
        {
            return false;
        }

        var trimmed = text.Trim();
        if (TryParseDateTime(trimmed, out time))
        {
            return true;
        }

        if (ToolDateWithOffset().Match(trimmed) is { Success: true } match
            && DateTimeOffset.TryParseExact(
                $"{match.Groups["date"].Value} {match.Groups["sign"].Value}{match.Groups["hours"].Value}:{match.Groups["minutes"].Value}",
                ToolDateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out time))
        {
            time = time.ToUniversalTime();
            return true;
        }

        if (DateUtils.TryParse(trimmed, out var parsed))
        {
            time = parsed.ToUniversalTime();
            return true;
        }

        return false;
    }

    /// <summary>
    /// An address a reply can be sent to: local@domain with the characters RFC 5322 allows unquoted in the
    /// local part and a host name after the @. Quoted local parts and address literals are not used by
    /// abuse reporters and are refused.
    /// </summary>
    public static bool IsEmail(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 254)
        {
            return false;
        }

        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at is <= 0 or > 64 || at != text.LastIndexOf('@'))
        {
            return false;
        }

        var local = text.AsSpan(0, at);
        foreach (var c in local)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+/=?^_`{|}~.-".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return local[0] != '.' && local[^1] != '.' && IsHostname(text[(at + 1)..]);
    }

    /// <summary>RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens.</summary>
    public static bool IsHostname(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var name = text.EndsWith('.') ? text[..^1] : text;
        if (name.Length is 0 or > 253)
        {
            return false;
        }

        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the text can only have been meant as an IP address: digits and dots, or a colon.</summary>
    public static bool LooksLikeIp(string text) =>
        text.Contains(':', StringComparison.Ordinal) || (text.Length > 0 && text.All(c => char.IsAsciiDigit(c) || c == '.'));

    public static bool TryParseAbsoluteUri(string? text, out Uri uri)
    {
        uri = null!;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxUrlLength || trimmed.Any(char.IsControl))
        {
            return false;
        }

        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var parsed))
        {
            return false;
        }

        uri = parsed;
        return true;
    }

    /// <summary>A URL an abuse desk can act on: absolute, with a host (web, FTP and the like).</summary>
    public static bool TryParseHostUrl(string? text, out string url)
    {
        url = string.Empty;
        if (!TryParseAbsoluteUri(text, out var uri) || string.IsNullOrEmpty(uri.Host) || uri.IsFile)
        {
            return false;
        }

        url = text!.Trim();
        return true;
    }

    [GeneratedRegex(@"^(?<date>[A-Za-z]{3} +[0-9]{1,2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}|[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}) (?<sign>[+-])(?<hours>[0-9]{2}):?(?<minutes>[0-9]{2})\z")]
    private static partial Regex ToolDateWithOffset();
}
