using System.Globalization;
using MimeKit;

namespace AbuseDesk.Domain.Ownership;

/// <summary>
/// The rule for a contact address the desk takes in (a reporter's, a customer's from the allocations): exactly one
/// bare mailbox, <c>name@example.org</c>. Such an address ends up in a To header, so anything that could become
/// another header (a line break), another recipient (a list, a group) or a misleading name (a display name,
/// a comment, quotes) is refused where it comes in, with a reason, rather than stored and sent.
/// </summary>
public static class ContactAddress
{
    /// <summary>RFC 5321's limit on a forward path.</summary>
    public const int MaxLength = 254;

    private const string NotAnAddress = "is not an email address";

    // Strict RFC 5322 parsing: no obsolete syntax, no address without a domain, no unquoted commas, no groups.
    private static readonly ParserOptions Strict = new()
    {
        AddressParserComplianceMode = RfcComplianceMode.Strict,
        AllowAddressesWithoutDomain = false,
        AllowUnquotedCommasInAddresses = false,
        MaxAddressGroupDepth = 0,
    };

    /// <summary>
    /// Null when <paramref name="text"/> is one bare mailbox; otherwise what is wrong with it, worded to follow the
    /// field and its value: "contactEmail 'x' {problem}".
    /// </summary>
    public static string? Problem(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return NotAnAddress;
        }

        if (text.Length > MaxLength)
        {
            return $"is longer than {MaxLength} characters";
        }

        // Control and format characters (CR, LF, NUL, zero-width and direction marks) never belong in an address;
        // a line break is how a second header, such as a Bcc, would be smuggled in.
        if (text.Any(c => char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator))
        {
            return "is not one email address: it contains a line break or another control character";
        }

        if (text.IndexOfAny([',', ';']) >= 0)
        {
            return "is not one email address: it lists several addresses or a group";
        }

        if (text.IndexOfAny(['<', '>', '(', ')', '"', '\\', ':', '[', ']']) >= 0)
        {
            return "is not one email address: give the bare address (name@example.org), without a display name, comment, quotes, angle brackets or address literal";
        }

        if (text.Any(char.IsWhiteSpace)
            || !MailboxAddress.TryParse(Strict, text, out var mailbox)
            || !string.IsNullOrEmpty(mailbox.Name)
            || mailbox.Route.Count > 0
            || !(text == mailbox.Address || text == mailbox.GetAddress(idnEncode: true))
            || !IsHostName(mailbox.Domain))
        {
            return NotAnAddress;
        }

        return null;
    }

    /// <summary>The value as an error message may quote it: control characters escaped, long values cut.</summary>
    public static string Shown(string? text)
    {
        if (text is null)
        {
            return "";
        }

        var escaped = string.Concat(text.Take(120).Select(c => char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format
            ? $"\\u{(int)c:x4}"
            : c.ToString()));
        return text.Length > 120 ? escaped + "…" : escaped;
    }

    // A domain mail can be delivered to: at least two labels of letters, digits and inner hyphens (non-ASCII letters
    // for internationalised names), each 1-63 characters, the last not all digits (that is an IP address, not a
    // name). MimeKit itself accepts "-b.example", "localhost" and "192.0.2.1".
    private static bool IsHostName(string domain)
    {
        var labels = domain.Split('.');
        return domain.Length <= 253 && labels.Length >= 2 && labels[^1].Any(char.IsLetter)
            && labels.All(l => l.Length is > 0 and <= 63 && l[0] != '-' && l[^1] != '-' && l.All(c => char.IsLetterOrDigit(c) || c == '-'));
    }
}
