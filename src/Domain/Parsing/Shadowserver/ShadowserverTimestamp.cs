using System.Globalization;

namespace AbuseDesk.Domain.Parsing.Shadowserver;

/// <summary>
/// Reads the <c>timestamp</c> column. Shadowserver writes UTC as "2022-01-01 00:00:00"; exports and other
/// tools use ISO 8601 ("2022-01-01T00:00:00Z", with fractions or offsets). Times without an offset are UTC.
/// </summary>
internal static class ShadowserverTimestamp
{
    private const DateTimeStyles Utc = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal | DateTimeStyles.AllowWhiteSpaces;

    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        text = text.Trim();
        if (TryParseFixed(text, out value))
        {
            return true;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, Utc, out value))
        {
            return false;
        }

        value = value.ToUniversalTime();
        return true;
    }

    /// <summary>"yyyy-MM-dd HH:mm:ss", with 'T' or ' ' and an optional 'Z': the form of nearly every row, read without the general parser.</summary>
    private static bool TryParseFixed(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length is not (19 or 20)
            || (text.Length == 20 && text[19] is not ('Z' or 'z'))
            || text[4] != '-' || text[7] != '-' || text[10] is not (' ' or 'T') || text[13] != ':' || text[16] != ':')
        {
            return false;
        }

        if (!TryDigits(text[..4], out var year) || !TryDigits(text.Slice(5, 2), out var month) || !TryDigits(text.Slice(8, 2), out var day)
            || !TryDigits(text.Slice(11, 2), out var hour) || !TryDigits(text.Slice(14, 2), out var minute) || !TryDigits(text.Slice(17, 2), out var second))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        value = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
