namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Finds the sender's signature and footer in the text a person wrote, so that the addresses in it are not read
/// as the complaint's: a signature names the complainant's company site, their NOC's servers, a mobile client's
/// "Get Outlook for iOS" link, a legal disclaimer's policy page — never the abuser. The lines are blanked, not cut,
/// so the text keeps its shape; a forwarded or quoted message after the signature is kept, because that is often
/// the evidence.
/// </summary>
internal static class SignatureBlocks
{
    // A closing is only the start of a signature when what follows looks like one: a few short lines.
    private const int MaxClosingTailLines = 10;
    private const int MaxClosingTailLineLength = 100;

    // Lines a mail client or a company's mail server appends.
    private static readonly string[] FooterOpenings =
    [
        "sent from my ", "sent from mail for windows", "get outlook for", "von meinem iphone gesendet",
        "von meinem ipad gesendet", "von meinem smartphone gesendet", "envoyé de mon", "enviado desde mi", "inviato da",
        "confidentiality notice", "confidentiality note", "this e-mail and any attachment", "this email and any attachment",
        "this message and any attachment", "this e-mail is confidential", "this email is confidential",
        "this message is confidential", "this e-mail may contain confidential", "this email may contain confidential",
        "the information contained in this", "the information in this e-mail", "the information in this email",
        "disclaimer:", "legal notice:", "please consider the environment before printing",
        "diese e-mail enthält vertrauliche", "diese nachricht enthält vertrauliche", "ce message et toutes les pièces jointes",
        "ce message et les pièces jointes",
    ];

    // Lines that close a mail before the sender's name and contact block.
    private static readonly string[] Closings =
    [
        "best regards", "kind regards", "warm regards", "with kind regards", "with best regards", "regards", "best",
        "best wishes", "thanks", "thank you", "many thanks", "thanks and regards", "cheers", "sincerely", "yours sincerely",
        "yours faithfully", "mit freundlichen grüßen", "mit freundlichen grüssen", "freundliche grüße", "freundliche grüsse",
        "viele grüße", "viele grüsse", "beste grüße", "beste grüsse", "gruß", "grüße", "mfg", "cordialement",
        "bien cordialement", "salutations", "met vriendelijke groet", "vriendelijke groet", "groeten", "saludos",
        "un saludo", "atentamente", "cordiali saluti", "saluti", "med vänliga hälsningar", "med venlig hilsen",
    ];

    /// <summary><paramref name="text"/> with every signature and footer line replaced by an empty line.</summary>
    public static string Blank(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        var lines = text.Split('\n');
        var changed = false;
        var inFooter = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var trimmed = line.Trim();
            if (inFooter && !ResumesText(trimmed))
            {
                changed |= lines[i].Length > 0;
                lines[i] = string.Empty;
                continue;
            }

            inFooter = false;
            if (line is "-- " or "--" || FooterOpenings.Any(o => trimmed.StartsWith(o, StringComparison.OrdinalIgnoreCase)))
            {
                // RFC 3676's signature delimiter, or a client's or company's footer.
                inFooter = true;
                changed |= lines[i].Length > 0;
                lines[i] = string.Empty;
            }
            else if (IsClosing(trimmed) && LooksLikeSignature(lines, i + 1))
            {
                inFooter = true;
            }
        }

        return changed || inFooter ? string.Join('\n', lines) : text;
    }

    /// <summary>A line that is one IP address and little else: a list of offenders, not a phone number or a site.</summary>
    private static bool IsBareIp(string line) =>
        AddressScanner.Find(line).Any(found => found.Ip is not null && found.Url is null && found.Length >= line.Length - 3);

    /// <summary>Where the text a person quotes or forwards begins: scanned again, it is the evidence.</summary>
    private static bool ResumesText(string line) =>
        line.StartsWith('>')
        || ComplaintReader.ForwardMarkers.Any(m => line.Contains(m, StringComparison.OrdinalIgnoreCase))
        || (line.Length >= 10 && line.All(c => c == '_'))
        || line.EndsWith("wrote:", StringComparison.OrdinalIgnoreCase)
        || line.EndsWith("schrieb:", StringComparison.OrdinalIgnoreCase)
        || line.EndsWith("a écrit :", StringComparison.OrdinalIgnoreCase)
        || line.StartsWith("From:", StringComparison.OrdinalIgnoreCase)
        || line.StartsWith("Von:", StringComparison.OrdinalIgnoreCase);

    private static bool IsClosing(string line)
    {
        if (line.Length is 0 or > 40)
        {
            return false;
        }

        var words = line.TrimEnd(',', '.', '!', ' ').ToLowerInvariant();
        return Closings.Any(c => words == c || words.StartsWith(c + ",", StringComparison.Ordinal));
    }

    /// <summary>
    /// Whether the lines after a closing are a name and contact block: few, short, and saying nothing about abuse.
    /// "Thanks," followed by a log excerpt, "PS: it is 192.0.2.1 again" or a bare list of IPs is still the complaint.
    /// </summary>
    private static bool LooksLikeSignature(string[] lines, int from)
    {
        var count = 0;
        for (var i = from; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (ResumesText(line))
            {
                break;
            }

            if (line.Length == 0)
            {
                continue;
            }

            if (++count > MaxClosingTailLines
                || line.Length > MaxClosingTailLineLength
                || line.StartsWith("ps", StringComparison.OrdinalIgnoreCase)
                || line.StartsWith("p.s", StringComparison.OrdinalIgnoreCase)
                || AbuseKeywords.Classify(line) != AbuseClass.Other
                || IsBareIp(line))
            {
                return false;
            }
        }

        return count > 0;
    }
}
