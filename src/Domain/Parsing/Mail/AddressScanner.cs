using AbuseDesk.Domain.Ownership;
namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Finds IPv4 and IPv6 addresses and http(s)/ftp URLs in free text, in one pass over the characters.
/// Hand-written rather than a regular expression: complaint text is attacker-controlled, and a scanner
/// that looks at every character a bounded number of times cannot be made to backtrack.
/// </summary>
internal static class AddressScanner
{
    // The longest address text: a full IPv6 with an embedded IPv4 is 45 characters; with a port and a
    // word's tail in front ("Source:") it is still far below this. Longer runs are hex dumps or version lists.
    private const int MaxRunLength = 64;

    private static readonly string[] UrlSchemes = ["http://", "https://", "ftp://"];

    public static IEnumerable<FoundAddress> Find(string text) => Find(text, 0, text.Length);

    /// <summary>Addresses in <paramref name="text"/>[<paramref name="start"/>..<paramref name="end"/>), in order.</summary>
    public static IEnumerable<FoundAddress> Find(string text, int start, int end)
    {
        var i = start;
        while (i < end)
        {
            var c = text[i];
            if (c is 'h' or 'H' or 'f' or 'F' && (i == start || !char.IsAsciiLetterOrDigit(text[i - 1])) && UrlSchemeLength(text, i, end) is > 0 and var scheme)
            {
                var tokenEnd = UrlTokenEnd(text, i + scheme, end);
                var urlEnd = TrimUrlEnd(text, i + scheme, tokenEnd);
                if (urlEnd - i <= UrlText.MaxLength && UrlText.TryRead(text[i..urlEnd], out var url, out var hostIp))
                {
                    yield return new FoundAddress(i, urlEnd - i, hostIp, null, url);
                }

                i = tokenEnd;
                continue;
            }

            if (IsAddressChar(c))
            {
                var runEnd = i;
                var separators = false;
                while (runEnd < end && IsAddressChar(text[runEnd]))
                {
                    separators |= text[runEnd] is '.' or ':';
                    runEnd++;
                }

                if (separators && runEnd - i <= MaxRunLength && ReadRun(text, i, runEnd, start, end) is { } found)
                {
                    yield return found;
                }

                i = runEnd;
                continue;
            }

            i++;
        }
    }

    private static bool IsAddressChar(char c) => char.IsAsciiHexDigit(c) || c is '.' or ':';

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static int UrlSchemeLength(string text, int index, int end)
    {
        foreach (var scheme in UrlSchemes)
        {
            if (end - index >= scheme.Length && string.Compare(text, index, scheme, 0, scheme.Length, StringComparison.OrdinalIgnoreCase) == 0)
            {
                return scheme.Length;
            }
        }

        return 0;
    }

    /// <summary>Where a URL written in prose ends: at white space, a quote or an angle bracket.</summary>
    private static int UrlTokenEnd(string text, int index, int end)
    {
        while (index < end && !char.IsWhiteSpace(text[index]) && !char.IsControl(text[index]) && text[index] is not ('<' or '>' or '"' or '\'' or '`' or '{' or '}' or '|' or '^' or '\\'))
        {
            index++;
        }

        return index;
    }

    /// <summary>Drops sentence punctuation after a URL, and a closing bracket that closes the prose around it.</summary>
    private static int TrimUrlEnd(string text, int start, int end)
    {
        while (end > start)
        {
            var last = text[end - 1];
            if (last is '.' or ',' or ';' or ':' or '!' or '?' or '*')
            {
                end--;
            }
            else if ((last == ')' && Count(text, start, end, '(') < Count(text, start, end, ')'))
                || (last == ']' && Count(text, start, end, '[') < Count(text, start, end, ']')))
            {
                end--;
            }
            else
            {
                break;
            }
        }

        return end;
    }

    private static int Count(string text, int start, int end, char c) => text.AsSpan(start, end - start).Count(c);

    /// <summary>The address in a run of hex digits, dots and colons, if it is one.</summary>
    private static FoundAddress? ReadRun(string text, int runStart, int runEnd, int start, int end)
    {
        // "192.0.2.1x" or "abc192.0.2.1" are parts of longer tokens, not addresses.
        if (runEnd < end && IsWordChar(text[runEnd]))
        {
            return null;
        }

        var first = runStart;
        var last = runEnd;
        if (first > start && IsWordChar(text[first - 1]))
        {
            // The run began inside a word: "Source:2001:db8::1", "IPv6:2001:db8::1", "IP:192.0.2.1".
            // The word's tail up to its colon is not part of the address.
            var colon = text.IndexOf(':', first, last - first);
            if (colon < 0)
            {
                return null;
            }

            first = colon + 1;
        }
        else if (last - first > 1 && text[first] == ':' && text[first + 1] != ':')
        {
            first++;
        }

        // Sentence punctuation: "from 192.0.2.1." and "2001:db8::1: attacked".
        while (last > first && text[last - 1] == '.')
        {
            last--;
        }

        if (last - first > 1 && text[last - 1] == ':' && text[last - 2] != ':')
        {
            last--;
        }

        if (last - first < 3)
        {
            return null;
        }

        var candidate = text[first..last];
        if (candidate.Contains('.', StringComparison.Ordinal) && candidate.IndexOf(':', StringComparison.Ordinal) is var portColon and > 0
            && portColon == candidate.LastIndexOf(':') && !candidate.StartsWith("::", StringComparison.Ordinal))
        {
            // "192.0.2.1:8080".
            return IpAddressText.TryNormalize(candidate[..portColon], out var ip) && !ip.Contains(':', StringComparison.Ordinal)
                ? new FoundAddress(first, last - first, ip, PortNumber.Read(candidate[(portColon + 1)..]), null)
                : null;
        }

        if (!IpAddressText.TryNormalize(candidate, out var normalized))
        {
            return null;
        }

        // IPv6 text that is probably not an address: "a::b" in code, "dead:beef::" in prose.
        if (candidate.Contains(':', StringComparison.Ordinal)
            && (candidate.Length < 6 || !candidate.Any(char.IsAsciiDigit)))
        {
            return null;
        }

        return new FoundAddress(first, last - first, normalized, null, null);
    }
}
