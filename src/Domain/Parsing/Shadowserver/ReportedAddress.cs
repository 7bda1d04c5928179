using AbuseDesk.Domain.Ownership;
namespace AbuseDesk.Domain.Parsing.Shadowserver;

/// <summary>
/// The address cell of a row, normalised as <see cref="IpAddressText"/> does, with a fast path for the
/// common case: a strict dotted quad already is its own canonical text, so it costs one string and no
/// parsing objects. Everything else goes through <see cref="IpAddressText"/> itself.
/// </summary>
internal static class ReportedAddress
{
    public static bool TryNormalize(ReadOnlySpan<char> cell, out string normalized)
    {
        var text = cell.Trim();
        if (IsCanonicalDottedQuad(text))
        {
            normalized = new string(text);
            return true;
        }

        return IpAddressText.TryNormalize(text.ToString(), out normalized);
    }

    /// <summary>
    /// Four decimal octets 0-255 without leading zeros: exactly the dotted quads <see cref="IpAddressText"/>
    /// accepts, for which its canonical form is the text unchanged.
    /// </summary>
    internal static bool IsCanonicalDottedQuad(ReadOnlySpan<char> text)
    {
        if (text.Length is < 7 or > 15)
        {
            return false;
        }

        var octets = 0;
        var position = 0;
        while (true)
        {
            var value = 0;
            var digits = 0;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                if (digits == 1 && value == 0)
                {
                    return false; // leading zero: some tools read it as octal
                }

                value = (value * 10) + (text[position] - '0');
                digits++;
                position++;
                if (digits > 3)
                {
                    return false;
                }
            }

            if (digits == 0 || value > 255)
            {
                return false;
            }

            octets++;
            if (position == text.Length)
            {
                return octets == 4;
            }

            if (text[position] != '.' || octets == 4)
            {
                return false;
            }

            position++;
        }
    }
}
