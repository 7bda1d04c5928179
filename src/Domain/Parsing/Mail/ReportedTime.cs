using System.Globalization;
using MimeKit.Utils;

namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Reads the timestamps reporters write in their mails. Only the forms reporters are known to use are
/// accepted: a lenient parser reads "1.2" as the second of January, which would date an event wrongly
/// rather than leave it undated.
/// </summary>
internal static class ReportedTime
{
    private const int MaxLength = 64;

    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ssK",
        "yyyy-MM-dd HH:mm:ss zzz",
        "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd",
    ];

    // Time zone abbreviations as US and European reporters write them after a time. Abbreviations are
    // ambiguous worldwide (IST, CST), so only the ones these reporters use are read.
    private static readonly Dictionary<string, string> ZoneOffsets = new(StringComparer.OrdinalIgnoreCase)
    {
        ["UTC"] = "+00:00",
        ["GMT"] = "+00:00",
        ["UT"] = "+00:00",
        ["Z"] = "+00:00",
        ["WET"] = "+00:00",
        ["WEST"] = "+01:00",
        ["CET"] = "+01:00",
        ["CEST"] = "+02:00",
        ["EST"] = "-05:00",
        ["EDT"] = "-04:00",
        ["CDT"] = "-05:00",
        ["MST"] = "-07:00",
        ["MDT"] = "-06:00",
        ["PST"] = "-08:00",
        ["PDT"] = "-07:00",
    };

    private static readonly string[] ZonedFormats =
    [
        "yyyy-MM-dd HH:mm:ss zzz",
        "ddd, d MMM yyyy h:mmtt zzz",
        "d MMM yyyy h:mmtt zzz",
        "ddd, d MMM yyyy HH:mm:ss zzz",
        "d MMM yyyy HH:mm:ss zzz",
    ];

    /// <summary>ISO 8601 and "yyyy-MM-dd HH:mm:ss[ ]±hh[:]mm"; a time without a zone is taken as UTC.</summary>
    public static DateTimeOffset? ReadIso(string? text)
    {
        var value = Clean(text);
        return value is not null
            && DateTimeOffset.TryParseExact(value, IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? Plausible(time)
            : null;
    }

    /// <summary>An RFC 5322 date ("Mon, 16 Nov 2015 06:31:28 +0000").</summary>
    public static DateTimeOffset? ReadMail(string? text)
    {
        var value = Clean(text);
        return value is not null && DateUtils.TryParse(value, out var time) ? Plausible(time) : null;
    }

    /// <summary>
    /// A time followed by a zone abbreviation: "2015-09-14 07:49:54 CEST" (Clean-MX),
    /// "Mon, 21 Sep 2015 11:00AM PDT" (Project Honey Pot).
    /// </summary>
    public static DateTimeOffset? ReadZoned(string? text)
    {
        var value = Clean(text);
        if (value is null)
        {
            return null;
        }

        var space = value.LastIndexOf(' ');
        if (space <= 0 || !ZoneOffsets.TryGetValue(value[(space + 1)..], out var offset))
        {
            return null;
        }

        var withOffset = string.Concat(value.AsSpan(0, space + 1), offset);
        return DateTimeOffset.TryParseExact(withOffset, ZonedFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowInnerWhite, out var time)
            ? Plausible(time)
            : null;
    }

    /// <summary>Any of the forms above.</summary>
    public static DateTimeOffset? Read(string? text) => ReadIso(text) ?? ReadZoned(text) ?? ReadMail(text);

    /// <summary>
    /// Null for dates no report can mean (year 1 from a missing header, year 9999 from a typo); the rest in UTC.
    /// </summary>
    public static DateTimeOffset? Plausible(DateTimeOffset time) =>
        time.Year is >= 1990 and <= 2200 ? time.ToUniversalTime() : null;

    private static string? Clean(string? text)
    {
        var value = text?.Trim();
        return string.IsNullOrEmpty(value) || value.Length > MaxLength ? null : value;
    }
}
