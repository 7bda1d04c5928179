using MimeKit;

namespace AbuseDesk.Domain.Parsing;

/// <summary>MimeKit parser settings for mail from untrusted senders.</summary>
internal static class MailParserSettings
{
    /// <summary>
    /// MimeKit's defaults are already lenient about broken mail, which reports often are; the limits
    /// are lowered so a hostile report cannot make the parser recurse thousands of levels deep.
    /// Never mutated after start-up, so one shared instance is safe across threads.
    /// </summary>
    public static ParserOptions Options { get; } = new()
    {
        MaxMimeDepth = 16,
        MaxAddressGroupDepth = 3,
    };

    /// <summary>Parses a mail with <see cref="Options"/>, refusing one whose lines MimeKit cannot parse in bounded time.</summary>
    /// <exception cref="ReportRejectedException">A line is longer than <see cref="Mail.LineLengthGuard.MaxLineBytes"/>.</exception>
    public static MimeMessage Load(Stream content) => MimeMessage.Load(Options, new Mail.LineLengthGuard(content));
}
