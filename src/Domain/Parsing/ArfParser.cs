using System.Globalization;
using MimeKit;
using MimeKit.Utils;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Domain.Parsing;

/// <summary>
/// Reads an Abuse Reporting Format report (RFC 5965, also the older 0.1 drafts that feedback loops
/// still send): a multipart/report with a human-readable part, a message/feedback-report part of
/// "Name: value" fields, and the reported message (message/rfc822, or only its headers as
/// text/rfc822-headers). An ARF report describes exactly one message, so it yields one event.
/// </summary>
internal static class ArfParser
{
    public const string NoIpOrUrl = "ARF report has no Source-IP and no IP in the reported message headers";

    // A feedback report forwarded inside another mail sits a level or two down; anything deeper is
    // not a report anyone sends, and the search must stay cheap on hostile nesting.
    private const int MaxSearchDepth = 6;

    private const int MaxUrlLength = 4096;

    // The human-readable part is a paragraph; a reporter's own layout in it (SpamCop's) is a screenful.
    private const int MaxHumanPartBytes = 8 * 1024;

    // What a customer needs to find the message in their logs. The recipient fields (Original-Rcpt-To,
    // Removal-Recipient, the reported message's To) are left out on purpose: evidence is shown to the
    // customer, and handing a spammer the complainant's address lets them wash their list or retaliate.
    private static readonly string[] EvidenceFields =
    [
        "Feedback-Type", "User-Agent", "Version", "Source-IP", "Source-Port", "Arrival-Date", "Received-Date",
        "Reported-Domain", "Reported-URI", "Original-Mail-From", "Incidents",
    ];

    /// <summary>True when the message declares itself a feedback report or carries a message/feedback-report part.</summary>
    public static bool IsArf(MimeMessage message) =>
        (message.Body is MultipartReport { ReportType: { } reportType } && IsFeedbackReportType(reportType))
        || FindFeedbackReport(message.Body) is not null;

    public static ParseOutcome Parse(MimeMessage message)
    {
        if (FindFeedbackReport(message.Body) is not { } found)
        {
            return ParseOutcome.Failure(ReportFormats.Arf, "multipart/report of type feedback-report has no message/feedback-report part");
        }

        var (report, container) = found;

        HeaderList fields;
        try
        {
            fields = report.Fields;
        }
        catch (FormatException ex)
        {
            return ParseOutcome.Failure(ReportFormats.Arf, $"the message/feedback-report part could not be read: {ex.Message}");
        }

        var reported = ReadReportedHeaders(container, report);
        return BuildEvent(fields, reported);
    }

    /// <summary>
    /// Whether the mail may say more than its feedback-report: a part beside the human-readable text, the
    /// feedback-report and the reported message (a reporter's data attachment), or a human-readable part that
    /// names a public IP other than the event's (SpamCop's layout names the spamvertised site's host there).
    /// Checked without decoding the reported message, so a plain feedback-loop mail costs a few hundred bytes more.
    /// </summary>
    public static bool SaysMore(MimeMessage message, string? eventIp)
    {
        if (FindFeedbackReport(message.Body) is not { Container: { } container })
        {
            return false;
        }

        var humanPartSeen = false;
        foreach (var part in container)
        {
            switch (part)
            {
                case MessageFeedbackReport or MessagePart:
                    break;
                case MimePart when part.ContentType.MimeType.StartsWith("text/rfc822-header", StringComparison.OrdinalIgnoreCase):
                    break;
                case TextPart text when !humanPartSeen && text.IsPlain:
                    humanPartSeen = true;
                    if (NamesAnotherIp(text, eventIp))
                    {
                        return true;
                    }

                    break;
                default:
                    return true;
            }
        }

        return false;
    }

    private static bool NamesAnotherIp(TextPart text, string? eventIp)
    {
        if (text.Content is null)
        {
            return false;
        }

        // Pooled: this runs for every feedback-loop mail, the commonest report there is.
        var bytes = System.Buffers.ArrayPool<byte>.Shared.Rent(MaxHumanPartBytes);
        string content;
        try
        {
            using var decoded = text.Content.Open();
            var length = 0;
            int read;
            while (length < MaxHumanPartBytes && (read = decoded.Read(bytes, length, MaxHumanPartBytes - length)) > 0)
            {
                length += read;
            }

            // Addresses are ASCII in every charset a report uses; Latin-1 never fails to decode.
            content = System.Text.Encoding.Latin1.GetString(bytes, 0, length);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
        }

        foreach (var found in Mail.AddressScanner.Find(content))
        {
            if (found is { Ip: { } ip, Url: null } && ip != eventIp
                && !Ownership.IpAddresses.IsNonPublic(System.Net.IPAddress.Parse(ip)))
            {
                return true;
            }
        }

        return false;
    }

    private static ParseOutcome BuildEvent(HeaderList fields, HeaderList? reported)
    {
        var feedbackType = ArfFeedbackType.Normalize(FirstValue(fields, "Feedback-Type"));
        var sourceIpField = FirstValue(fields, "Source-IP");

        // Source-IP is what the reporter's own server saw; the Received headers are only a fallback
        // because the hop that counts has to be guessed from them.
        var lowConfidence = false;
        if (!TryReadIp(sourceIpField, out var ip))
        {
            ip = reported is null ? null : ReceivedHeaderChain.FindDeliveringIp(reported);
            lowConfidence = ip is not null;
        }

        var url = fields.Where(h => IsField(h, "Reported-URI")).Select(h => ReadUri(h.Value)).FirstOrDefault(u => u is not null);
        if (ip is null && url is null)
        {
            return ParseOutcome.Failure(ReportFormats.Arf, NoIpOrUrl);
        }

        var arrival = FirstValue(fields, "Arrival-Date") ?? FirstValue(fields, "Received-Date");
        var occurredAt = ReadDate(arrival) ?? ReadDate(reported?[HeaderId.Date]);

        var reportEvent = new ReportEvent
        {
            Ip = ip,
            Port = ReadPort(FirstValue(fields, "Source-Port")),
            Url = url,
            AbuseClass = ArfFeedbackType.ToAbuseClass(feedbackType),
            ReportType = "arf-" + feedbackType,
            OccurredAt = occurredAt,
            Evidence = Evidence(fields, reported, lowConfidence ? ip : null),
            LowConfidence = lowConfidence,
        };
        return ParseOutcome.Success(ReportFormats.Arf, [reportEvent]);
    }

    private static string? Evidence(HeaderList fields, HeaderList? reported, string? ipFromReceived)
    {
        var excerpt = new EvidenceExcerpt();
        foreach (var name in EvidenceFields)
        {
            foreach (var field in fields.Where(h => IsField(h, name)).Take(5))
            {
                excerpt.Add(name, field.Value);
            }
        }

        if (ipFromReceived is not null)
        {
            excerpt.Add("Sending IP", $"{ipFromReceived} (no Source-IP; taken from the reported message's Received headers)");
        }

        if (reported is not null)
        {
            excerpt.AddHeading("Reported message:");
            excerpt.Add("From", reported[HeaderId.From]);
            excerpt.Add("Subject", reported[HeaderId.Subject]);
            excerpt.Add("Date", reported[HeaderId.Date]);
            excerpt.Add("Message-ID", reported[HeaderId.MessageId]);
        }

        return excerpt.Build();
    }

    /// <summary>
    /// Breadth-first, so the report's own part is found before anything inside the reported message,
    /// and a report forwarded as an attachment is still found.
    /// </summary>
    private static (MessageFeedbackReport Report, Multipart? Container)? FindFeedbackReport(MimeEntity? body)
    {
        if (body is null)
        {
            return null;
        }

        var pending = new Queue<(MimeEntity Entity, Multipart? Parent, int Depth)>();
        pending.Enqueue((body, null, 0));
        while (pending.TryDequeue(out var item))
        {
            switch (item.Entity)
            {
                case MessageFeedbackReport report:
                    return (report, item.Parent);
                case Multipart multipart when item.Depth < MaxSearchDepth:
                    foreach (var child in multipart)
                    {
                        pending.Enqueue((child, multipart, item.Depth + 1));
                    }

                    break;
                case MessagePart { Message.Body: { } inner } when item.Depth < MaxSearchDepth:
                    pending.Enqueue((inner, null, item.Depth + 1));
                    break;
            }
        }

        return null;
    }

    /// <summary>
    /// The headers of the reported message: the sibling message/rfc822 or text/rfc822-headers part.
    /// Some senders write "text/rfc822-header" (no s), which MimeKit leaves as a plain text part.
    /// </summary>
    private static HeaderList? ReadReportedHeaders(Multipart? container, MessageFeedbackReport report)
    {
        if (container is null)
        {
            return null;
        }

        foreach (var part in container.SkipWhile(p => !ReferenceEquals(p, report)).Concat(container))
        {
            switch (part)
            {
                case MessagePart { Message: { } message }:
                    return message.Headers;
                case MimePart { Content: { } content } when part.ContentType.MimeType.StartsWith("text/rfc822-header", StringComparison.OrdinalIgnoreCase):
                    try
                    {
                        using var stream = content.Open();
                        return HeaderList.Load(MailParserSettings.Options, stream);
                    }
                    catch (FormatException)
                    {
                        return null;
                    }
            }
        }

        return null;
    }

    private static bool IsFeedbackReportType(string reportType) =>
        reportType.Trim().Trim('"').Equals("feedback-report", StringComparison.OrdinalIgnoreCase);

    private static bool IsField(Header header, string name) => header.Field.Equals(name, StringComparison.OrdinalIgnoreCase);

    private static string? FirstValue(HeaderList fields, string name) =>
        fields.Where(h => IsField(h, name)).Select(h => h.Value?.Trim()).FirstOrDefault(v => !string.IsNullOrEmpty(v));

    /// <summary>
    /// Source-IP as senders write it: usually bare, sometimes "[192.0.2.1]", "IPv6:2001:db8::1" or
    /// followed by a comment with the host name.
    /// </summary>
    private static bool TryReadIp(string? value, out string? ip)
    {
        ip = null;
        if (value is null)
        {
            return false;
        }

        var token = value.Split([' ', '\t', '(', ';', ','], 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;
        token = token.Trim('[', ']');
        if (token.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
        {
            token = token[5..];
        }

        if (!IpAddressText.TryNormalize(token, out var normalized))
        {
            return false;
        }

        ip = normalized;
        return true;
    }

    private static int? ReadPort(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
        && port is >= 1 and <= 65535 ? port : null;

    private static string? ReadUri(string? value)
    {
        var text = value?.Trim().Trim('<', '>').Trim();
        return !string.IsNullOrEmpty(text) && text.Length <= MaxUrlLength && Uri.TryCreate(text, UriKind.Absolute, out _) ? text : null;
    }

    private static DateTimeOffset? ReadDate(string? value) =>
        value is not null && DateUtils.TryParse(value, out var date) ? date.ToUniversalTime() : null;
}
