namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>One textual part of a mail, decoded to text and cut at a bound.</summary>
/// <param name="Text">The decoded text with line breaks normalised to "\n".</param>
/// <param name="MediaType">Lower-case "type/subtype", e.g. "text/plain".</param>
/// <param name="FileName">The attachment's declared file name, if any (attacker-chosen: only compared, never used as a path).</param>
/// <param name="IsAttachment">Declared as an attachment or named, rather than shown inline as the body.</param>
/// <param name="IsForwarded">Inside an attached message (message/rfc822): someone else's mail, quoted as evidence.</param>
/// <param name="Truncated">The part was longer than the bound and only its start was read.</param>
internal sealed record MailText(string Text, string MediaType, string? FileName, bool IsAttachment, bool IsForwarded, bool Truncated)
{
    public bool IsPlain => MediaType == "text/plain";

    public bool IsHtml => MediaType is "text/html" or "application/xhtml+xml";

    /// <summary>Text the reporter wrote themselves: not an attachment and not inside a forwarded message.</summary>
    public bool IsOwnBody => !IsAttachment && !IsForwarded;

    public bool HasFileName(string suffix) =>
        FileName is not null && FileName.EndsWith(suffix, StringComparison.OrdinalIgnoreCase);
}
