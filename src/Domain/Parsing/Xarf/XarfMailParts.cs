using System.Text.Json;
using MimeKit;

namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>
/// Finds the machine-readable report in a mail: an X-ARF 0.1/0.2 report.txt (YAML), or a XARF v3/v4 JSON
/// part (application/json, or a .json attachment, also inside multipart/report). Detection is by content:
/// the X-ARF header alone proves nothing, anyone can set it.
/// </summary>
internal static class XarfMailParts
{
    // X-ARF puts the report one level down; forwarding or a multipart/alternative wrapper adds a level or two.
    private const int MaxDepth = 6;
    private const int MaxPartsExamined = 64;

    // A report.txt is a screenful of fields; a JSON report carries base64 evidence (at most 50 items of 5 MB
    // in v4, a size nobody mails). Larger parts are not taken for reports.
    private const int MaxYamlBytes = 64 * 1024;
    private const int MaxJsonBytes = 16 * 1024 * 1024;

    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 32 };

    /// <summary>The mail's own report, else that of an attached X-ARF mail (a forward); null when there is none.</summary>
    public static XarfMailReport? Find(MimeMessage message)
    {
        var own = Search(message.Body, IsDeclared(message.Headers));
        if (own is not null)
        {
            return own;
        }

        // Evidence attached to a report is attacker-written and may itself look like a report, so an
        // attached message is only searched when the outer mail has no report of its own and the
        // attached one declares itself X-ARF.
        foreach (var attached in AttachedMessages(message.Body))
        {
            if (IsDeclared(attached.Headers) && Search(attached.Body, declared: true) is { } forwarded)
            {
                return forwarded;
            }
        }

        return null;
    }

    /// <summary>X-ARF: YES (0.2), or X-XARF: PLAIN/SECURE (0.1 and blocklist.de).</summary>
    public static bool IsDeclared(HeaderList headers)
    {
        var xarf = headers["X-ARF"]?.Trim();
        var xxarf = headers["X-XARF"]?.Trim();
        return string.Equals(xarf, "yes", StringComparison.OrdinalIgnoreCase)
            || string.Equals(xarf, "true", StringComparison.OrdinalIgnoreCase)
            || string.Equals(xxarf, "plain", StringComparison.OrdinalIgnoreCase)
            || string.Equals(xxarf, "secure", StringComparison.OrdinalIgnoreCase);
    }

    private static XarfMailReport? Search(MimeEntity? body, bool declared)
    {
        if (body is null)
        {
            return null;
        }

        var examined = 0;
        var pending = new Queue<(MimeEntity Entity, Multipart? Parent, int Depth)>();
        pending.Enqueue((body, null, 0));
        while (pending.TryDequeue(out var item) && examined++ < MaxPartsExamined)
        {
            switch (item.Entity)
            {
                case Multipart multipart when item.Depth < MaxDepth:
                    foreach (var child in multipart)
                    {
                        pending.Enqueue((child, multipart, item.Depth + 1));
                    }

                    break;
                case MimePart part when IsJsonCandidate(part):
                    if (ReadJson(part) is { } outcome)
                    {
                        return XarfMailReport.OfJson(outcome);
                    }

                    break;
                case MimePart part when ReadYaml(part, declared) is { } report:
                    return XarfMailReport.OfYaml(report, EvidenceBeside(item.Parent, part, report));
            }
        }

        return null;
    }

    private static IEnumerable<MimeMessage> AttachedMessages(MimeEntity? body)
    {
        if (body is null)
        {
            return [];
        }

        var found = new List<MimeMessage>();
        var pending = new Queue<(MimeEntity Entity, int Depth)>();
        pending.Enqueue((body, 0));
        var examined = 0;
        while (pending.TryDequeue(out var item) && examined++ < MaxPartsExamined)
        {
            switch (item.Entity)
            {
                case Multipart multipart when item.Depth < MaxDepth:
                    foreach (var child in multipart)
                    {
                        pending.Enqueue((child, item.Depth + 1));
                    }

                    break;
                case MessagePart { Message: { } attached }:
                    found.Add(attached);
                    break;
            }
        }

        return found;
    }

    private static bool IsJsonCandidate(MimePart part)
    {
        var type = part.ContentType;
        return (type.MediaType.Equals("application", StringComparison.OrdinalIgnoreCase)
                && (type.MediaSubtype.Equals("json", StringComparison.OrdinalIgnoreCase) || type.MediaSubtype.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
            || (FileName(part)?.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ?? false);
    }

    /// <summary>The XARF outcome of a JSON part; null when the part is not XARF JSON (or not JSON at all).</summary>
    private static ParseOutcome? ReadJson(MimePart part)
    {
        var bytes = BoundedPartText.ReadBytes(part, MaxJsonBytes, out var truncated);
        if (truncated)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes, JsonOptions);
            return XarfJson.TryRead(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// A report.txt part, or a plain-text part that reads as one. An unnamed part must carry the fields that
    /// make a report (Report-Type and Source, among others), so a human-readable part is not mistaken for it.
    /// </summary>
    private static XarfYamlReport? ReadYaml(MimePart part, bool declared)
    {
        var named = string.Equals(FileName(part), "report.txt", StringComparison.OrdinalIgnoreCase);
        var plainText = part.ContentType.IsMimeType("text", "plain");
        if (!named && !plainText)
        {
            return null;
        }

        var text = BoundedPartText.ReadText(part, MaxYamlBytes, out var truncated);
        if (truncated && !named)
        {
            return null;
        }

        var report = XarfYamlReport.Parse(text);
        if (named)
        {
            return report.MarkerCount >= (declared ? 1 : 3) ? report : null;
        }

        return report["Report-Type"] is not null && report["Source"] is not null && report.MarkerCount >= (declared ? 3 : 4)
            ? report
            : null;
    }

    /// <summary>
    /// X-ARF 0.2 puts the evidence in the part after report.txt, and says what it is in Attachment
    /// ("none" when there is none).
    /// </summary>
    private static MimeEntity? EvidenceBeside(Multipart? parent, MimePart reportPart, XarfYamlReport report)
    {
        if (parent is null || string.Equals(report["Attachment"], "none", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var index = parent.IndexOf(reportPart);
        return index >= 0 && index + 1 < parent.Count ? parent[index + 1] : null;
    }

    private static string? FileName(MimePart part) => part.FileName ?? part.ContentType.Name;
}
