using System.Net;
using System.Text.RegularExpressions;
using AbuseDesk.Domain.Ownership;
using MimeKit;

namespace AbuseDesk.Domain.Parsing;

/// <summary>
/// Finds the host that handed a message to the receiving mail system, from the message's own
/// Received headers. Used when a report names no sending IP (an ARF report without Source-IP).
/// </summary>
internal static partial class ReceivedHeaderChain
{
    // Hostile reports can carry thousands of Received headers or megabyte-long ones; the sending hop
    // is always near the top, so looking further only costs time.
    private const int MaxHeadersExamined = 50;
    private const int MaxHeaderLengthExamined = 2048;

    /// <summary>
    /// The IP of the topmost Received header whose "from" clause names an external IP in brackets or
    /// parentheses, normalised; null when none does.
    /// </summary>
    /// <remarks>
    /// Topmost, not bottom-most: the topmost headers are written by the reporter's own mail servers,
    /// and the first external IP they record is the host that delivered the message to them, which is
    /// exactly what ARF's Source-IP means. Everything below that hop was written by the sending side:
    /// it can be forged, and on a genuine relay it names the sender's submission client (a customer's
    /// end user on a home line) rather than the server on our network that sent the mail. Internal
    /// addresses (loopback, private, link-local) are skipped because reporters' internal relays and
    /// content filters add such hops above the delivering one. Only bracketed or parenthesised IPs
    /// count: the bare token after "from" is the unverified HELO name, which spammers choose freely.
    /// </remarks>
    public static string? FindDeliveringIp(HeaderList headers)
    {
        var examined = 0;
        foreach (var header in headers)
        {
            if (header.Id != HeaderId.Received)
            {
                continue;
            }

            if (++examined > MaxHeadersExamined)
            {
                break;
            }

            var value = header.Value ?? string.Empty;
            if (value.Length > MaxHeaderLengthExamined)
            {
                value = value[..MaxHeaderLengthExamined];
            }

            if (FirstExternalIp(FromClause(value)) is { } ip)
            {
                return ip;
            }
        }

        return null;
    }

    /// <summary>
    /// The text between "from" and the top-level "by": the part that describes the sending host.
    /// "by" inside comments (e.g. "(qmail 123 invoked by uid 910)") does not end it.
    /// </summary>
    private static string FromClause(string received)
    {
        var text = received.TrimStart();
        if (!text.StartsWith("from", StringComparison.OrdinalIgnoreCase)
            || text.Length < 5
            || !char.IsWhiteSpace(text[4]))
        {
            return string.Empty;
        }

        var depth = 0;
        for (var i = 4; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth = Math.Max(0, depth - 1);
                    break;
                case 'b' or 'B' when depth == 0 && IsWordAt(text, i, "by"):
                    return text[4..i];
            }
        }

        return text[4..];
    }

    private static bool IsWordAt(string text, int index, string word) =>
        char.IsWhiteSpace(text[index - 1])
        && string.Compare(text, index, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) == 0
        && (index + word.Length == text.Length || char.IsWhiteSpace(text[index + word.Length]));

    private static string? FirstExternalIp(string fromClause)
    {
        foreach (Match match in BracketedIp().Matches(fromClause))
        {
            var text = match.Groups["bracketed"].Success ? match.Groups["bracketed"].Value : match.Groups["parenthesised"].Value;
            if (TryReadHopIp(text, out var normalized) && !IpAddresses.IsNonPublic(IPAddress.Parse(normalized)))
            {
                return normalized;
            }
        }

        return null;
    }

    /// <summary>An IP, or an IPv4 with the client port appended as some MTAs (ecelerity) write it: "[192.0.2.1:41423]".</summary>
    private static bool TryReadHopIp(string text, out string normalized)
    {
        if (IpAddressText.TryNormalize(text, out normalized))
        {
            return true;
        }

        var portSeparator = text.LastIndexOf(':');
        return portSeparator > 0
            && text.IndexOf(':', StringComparison.Ordinal) == portSeparator
            && IpAddressText.TryNormalize(text[..portSeparator], out normalized);
    }

    // "[192.0.2.1]", "[IPv6:2001:db8::1]" (Postfix, Sendmail, Exim) and "(192.0.2.1)" (qmail, Yahoo,
    // Exchange). Bounded character classes keep matching linear on hostile input.
    [GeneratedRegex(@"\[(?:IPv6:)?(?<bracketed>[0-9A-Fa-f:.]{2,51})\]|\(\s*(?<parenthesised>[0-9A-Fa-f:.]{2,51})\s*\)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex BracketedIp();
}
