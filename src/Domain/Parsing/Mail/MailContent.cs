using System.Runtime.CompilerServices;
using System.Text;
using MimeKit;

namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// The decoded text of a mail, read once and shared by every reporter layout and the free-text reader.
/// Everything is bounded: a hostile mail can hold gigabytes of text, hundreds of parts and deep nesting,
/// and the layouts only ever need the first part of what a real reporter sends.
/// </summary>
internal sealed class MailContent
{
    /// <summary>Characters decoded from all parts together.</summary>
    public const int MaxTotalChars = 1024 * 1024;

    /// <summary>Characters decoded from one part.</summary>
    public const int MaxPartChars = 512 * 1024;

    private const int MaxSubjectChars = 1000;

    // Reporters nest a report at most a few levels (signed → mixed → alternative → part, or one
    // forwarded message); deeper structure is not a report anyone sends.
    private const int MaxDepth = 6;
    private const int MaxParts = 200;

    // Claims and Read are separate calls on the same message: decode it once, and let the cache entry
    // die with the message.
    private static readonly ConditionalWeakTable<MimeMessage, MailContent> Decoded = new();

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private MailContent(MimeMessage message)
    {
        Headers = message.Headers;
        Subject = Bound(message.Subject, MaxSubjectChars);
        Date = message.Date == DateTimeOffset.MinValue ? null : ReportedTime.Plausible(message.Date);
        SenderDomain = ReadSenderDomain(message);

        var texts = new List<MailText>();
        var forwarded = new List<MimeMessage>();
        ReadParts(message.Body, texts, forwarded);
        Texts = texts;
        Forwarded = forwarded;
    }

    public HeaderList Headers { get; }

    public string Subject { get; }

    public DateTimeOffset? Date { get; }

    /// <summary>The domain of the From address, lower case; null when there is none.</summary>
    public string? SenderDomain { get; }

    /// <summary>Textual parts in breadth-first order: the body before attachments, outer before forwarded.</summary>
    public IReadOnlyList<MailText> Texts { get; }

    /// <summary>Messages attached as message/rfc822 (a complaint forwarding the offending mail).</summary>
    public IReadOnlyList<MimeMessage> Forwarded { get; }

    public static MailContent Of(MimeMessage message) => Decoded.GetValue(message, m => new MailContent(m));

    /// <summary>The reporter's own text parts of one media type, body first.</summary>
    public IEnumerable<MailText> OwnTexts(string mediaType) => Texts.Where(t => !t.IsForwarded && t.MediaType == mediaType);

    /// <summary>
    /// The reporter's own readable text: the plain-text parts, or when there are none the HTML parts
    /// converted to text (a mail client's alternative parts say the same thing twice).
    /// </summary>
    public IEnumerable<string> ReadableBodies()
    {
        var plain = Texts.Where(t => !t.IsForwarded && t.IsPlain && !t.IsAttachment).Select(t => t.Text).ToList();
        return plain.Count > 0
            ? plain
            : Texts.Where(t => !t.IsForwarded && t.IsHtml && !t.IsAttachment).Select(t => HtmlText.ToText(t.Text));
    }

    private static void ReadParts(MimeEntity? body, List<MailText> texts, List<MimeMessage> forwarded)
    {
        if (body is null)
        {
            return;
        }

        var budget = MaxTotalChars;
        var seen = 0;
        var pending = new Queue<(MimeEntity Entity, int Depth, bool Forwarded)>();
        pending.Enqueue((body, 0, false));
        while (pending.TryDequeue(out var item) && seen++ < MaxParts)
        {
            switch (item.Entity)
            {
                case Multipart multipart when item.Depth < MaxDepth:
                    foreach (var child in multipart)
                    {
                        pending.Enqueue((child, item.Depth + 1, item.Forwarded));
                    }

                    break;
                case MessagePart { Message: { } inner } when item.Depth < MaxDepth:
                    forwarded.Add(inner);
                    if (inner.Body is { } innerBody)
                    {
                        pending.Enqueue((innerBody, item.Depth + 1, true));
                    }

                    break;
                case MimePart part when item.Depth < MaxDepth && IsEncodedMessage(part):
                    // A forwarded mail sent base64 or quoted-printable encoded: MimeKit leaves it a plain part.
                    if (DecodeMessage(part) is { } decoded)
                    {
                        forwarded.Add(decoded);
                        if (decoded.Body is { } decodedBody)
                        {
                            pending.Enqueue((decodedBody, item.Depth + 1, true));
                        }
                    }

                    break;
                case MimePart part when budget > 0 && IsTextual(part):
                    var text = ReadText(part, Math.Min(budget, MaxPartChars), out var truncated);
                    budget -= text.Length;
                    texts.Add(new MailText(
                        text,
                        part.ContentType.MimeType.ToLowerInvariant(),
                        part.FileName is { } name ? Bound(name, 255) : null,
                        part.IsAttachment || part.FileName is not null,
                        item.Forwarded,
                        truncated));
                    break;
            }
        }
    }

    private static bool IsEncodedMessage(MimePart part) =>
        part.ContentType.IsMimeType("message", "rfc822") || part.ContentType.IsMimeType("message", "global");

    /// <summary>
    /// The mail inside an encoded message/rfc822 part, decoded up to <see cref="MaxPartChars"/> bytes (a longer
    /// one is cut: its headers and text come first); null when it is not a mail. Its own parts are bounded by
    /// the same depth and part count as the rest.
    /// </summary>
    private static MimeMessage? DecodeMessage(MimePart part)
    {
        if (part.Content is null)
        {
            return null;
        }

        try
        {
            using var decoded = part.Content.Open();
            var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while (buffer.Length < MaxPartChars && (read = decoded.Read(chunk, 0, (int)Math.Min(chunk.Length, MaxPartChars - buffer.Length))) > 0)
            {
                buffer.Write(chunk, 0, read);
            }

            buffer.Position = 0;
            return MailParserSettings.Load(buffer);
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or NotSupportedException or ReportRejectedException)
        {
            return null;
        }
    }

    private static bool IsTextual(MimePart part)
    {
        var type = part.ContentType;
        if (type.MediaType.Equals("text", StringComparison.OrdinalIgnoreCase)
            || type.IsMimeType("application", "xml")
            || type.IsMimeType("application", "xhtml+xml"))
        {
            return true;
        }

        // Some reporters attach their XML or CSV as application/octet-stream; the name says what it is.
        var name = part.FileName;
        return type.IsMimeType("application", "octet-stream")
            && name is not null
            && (name.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)
                || name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
                || name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Decodes at most <paramref name="maxChars"/> characters of a part, whatever its declared charset.</summary>
    private static string ReadText(MimePart part, int maxChars, out bool truncated)
    {
        truncated = false;
        if (part.Content is null || maxChars <= 0)
        {
            return string.Empty;
        }

        try
        {
            using var stream = part.Content.Open();
            using var reader = new StreamReader(stream, Charset(part.ContentType), detectEncodingFromByteOrderMarks: true, bufferSize: 16 * 1024);
            // 16K characters: a larger buffer would land on the large-object heap for every part of every mail.
            var buffer = new char[Math.Min(maxChars, 16 * 1024)];
            var text = new StringBuilder();
            int read;
            while (text.Length < maxChars && (read = reader.Read(buffer, 0, Math.Min(buffer.Length, maxChars - text.Length))) > 0)
            {
                text.Append(buffer, 0, read);
            }

            truncated = text.Length >= maxChars && reader.Peek() >= 0;
            return text.Replace("\r\n", "\n").Replace('\r', '\n').ToString();
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException or InvalidDataException or NotSupportedException)
        {
            // A part whose transfer encoding cannot be decoded has no text to offer; the rest of the mail may.
            return string.Empty;
        }
    }

    /// <summary>
    /// The declared charset when it is known; Latin-1 when it is declared but unknown (most unknown charsets
    /// are Windows code pages close to it, and Latin-1 never fails to decode); UTF-8 when nothing is declared.
    /// </summary>
    private static Encoding Charset(ContentType type)
    {
        if (string.IsNullOrWhiteSpace(type.Charset))
        {
            return Utf8;
        }

        try
        {
            return type.CharsetEncoding ?? Encoding.Latin1;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            return Encoding.Latin1;
        }
    }

    private static string? ReadSenderDomain(MimeMessage message)
    {
        var domain = message.From.Mailboxes.FirstOrDefault()?.Domain ?? message.Sender?.Domain;
        return string.IsNullOrWhiteSpace(domain) || domain.Length > 253 ? null : domain.Trim().TrimEnd('.').ToLowerInvariant();
    }

    private static string Bound(string? text, int maxChars) =>
        string.IsNullOrEmpty(text) ? string.Empty : text.Length <= maxChars ? text : text[..maxChars];
}
