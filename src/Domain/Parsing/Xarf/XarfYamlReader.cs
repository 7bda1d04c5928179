using System.Globalization;
using MimeKit;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>
/// Turns an X-ARF 0.1/0.2 report.txt (and the evidence part beside it) into one event. Report-Type and
/// Source are required, and Source must be what Source-Type says it is; a Date or Port that cannot be
/// read is noted and left out rather than failing an otherwise actionable report.
/// </summary>
internal static class XarfYamlReader
{
    private const string Prefix = "x-arf";

    // Evidence logs are attacker-controlled text: a few lines, each flattened and shortened, are enough
    // for a customer to find the event in their own logs.
    private const int MaxEvidenceBytes = 16 * 1024;
    private const int MaxEvidenceLines = 12;
    private const int MaxEvidenceLineLength = 300;
    private const int MaxOtherFields = 10;

    // Fields whose second value would change what the event is.
    private static readonly string[] MustBeSingle = ["Report-Type", "Category", "Source", "Source-Type", "Port", "Date"];

    private static readonly string[] ExcerptFields =
    [
        "Reported-From", "Category", "Report-Type", "Service", "Date", "Source-Type", "Source", "Port", "Domain",
        "Download-Link", "Download-Port", "Destination", "Destination-Port", "Report-ID", "User-Agent", "Version", "Attachment",
    ];

    private static readonly HashSet<string> RecipientHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "To", "Cc", "Bcc", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "Original-Recipient", "Final-Recipient", "Original-Rcpt-To",
    };

    private static readonly HashSet<string> IpSourceTypes = new(StringComparer.OrdinalIgnoreCase) { "ip-address", "ipv4", "ipv6", "ip", "ipaddress" };
    private static readonly HashSet<string> UrlSourceTypes = new(StringComparer.OrdinalIgnoreCase) { "uri", "url" };
    private static readonly HashSet<string> HostSourceTypes = new(StringComparer.OrdinalIgnoreCase) { "domain", "hostname", "host", "fqdn" };

    public static ReportReading Read(XarfYamlReport report, MimeEntity? evidencePart)
    {
        foreach (var name in MustBeSingle)
        {
            if (report.Duplicates.Contains(name))
            {
                return Fail($"{name}: given more than once");
            }
        }

        var reportType = report["Report-Type"];
        if (reportType is null)
        {
            return Fail("Report-Type: missing");
        }

        var sourceText = report["Source"];
        if (sourceText is null)
        {
            return Fail("Source: missing");
        }

        var sourceType = report["Source-Type"];
        if (ReadSource(sourceText, sourceType, out var ip, out var url) is { } problem)
        {
            return Fail(problem);
        }

        var notes = new ParseNotes();
        var port = ReadPort(report["Port"] ?? report["Source-Port"], notes);
        DateTimeOffset? occurredAt = null;
        if (report["Date"] is { } dateText)
        {
            if (XarfValueFormats.TryParseMailOrIsoDate(dateText, out var date))
            {
                occurredAt = date;
            }
            else
            {
                notes.Add($"{Prefix}: Date: '{XarfFieldCheck.Quote(dateText)}' is not a date; the event has no time");
            }
        }

        // A malware report about a host names the file it serves.
        if (ip is not null && XarfValueFormats.TryParseHostUrl(report["Download-Link"] ?? report["URL"], out var downloadLink))
        {
            url = downloadLink;
        }

        var category = report["Category"];
        var rule = XarfYamlTaxonomy.Rule(reportType, category);
        var reportEvent = new ReportEvent
        {
            Ip = ip,
            Port = port,
            Url = url,
            AbuseClass = rule.AbuseClass,
            Severity = rule.Severity,
            ReportType = "x-arf-" + ReportTypeName(reportType),
            OccurredAt = occurredAt,
            Evidence = Excerpt(report, evidencePart),
        };
        return new ReportReading(XarfFormats.Mail, [reportEvent], notes);
    }

    private static ReportReading Fail(string problem) => ReportReading.Failed(XarfFormats.Mail, $"{Prefix}: {problem}");

    /// <summary>Source read as its Source-Type says; without one, as whatever it unambiguously is.</summary>
    private static string? ReadSource(string text, string? sourceType, out string? ip, out string? url)
    {
        ip = null;
        url = null;
        var source = text.Trim().Trim('[', ']', '<', '>');
        var type = sourceType?.Trim();
        var quoted = XarfFieldCheck.Quote(text);
        if (type is not null && IpSourceTypes.Contains(type))
        {
            return IpAddressText.TryNormalize(source, out var normalized) ? Set(out ip, normalized) : $"Source: '{quoted}' is not an IP address (Source-Type {type})";
        }

        if (type is not null && UrlSourceTypes.Contains(type))
        {
            return XarfValueFormats.TryParseHostUrl(source, out var hostUrl) ? Set(out url, hostUrl) : $"Source: '{quoted}' is not a URL with a host (Source-Type {type})";
        }

        if (type is not null && HostSourceTypes.Contains(type))
        {
            return XarfValueFormats.IsHostname(source) ? Set(out url, source.TrimEnd('.').ToLowerInvariant()) : $"Source: '{quoted}' is not a host name (Source-Type {type})";
        }

        if (IpAddressText.TryNormalize(source, out var address))
        {
            return Set(out ip, address);
        }

        if (XarfValueFormats.TryParseHostUrl(source, out var link))
        {
            return Set(out url, link);
        }

        if (!XarfValueFormats.LooksLikeIp(source) && XarfValueFormats.IsHostname(source) && source.Contains('.', StringComparison.Ordinal))
        {
            return Set(out url, source.TrimEnd('.').ToLowerInvariant());
        }

        return $"Source: '{quoted}' is neither an IP address nor a URL" + (type is null ? string.Empty : $" (unknown Source-Type '{XarfFieldCheck.Quote(type)}')");
    }

    private static string? Set(out string? target, string value)
    {
        target = value;
        return null;
    }

    private static int? ReadPort(string? text, ParseNotes notes)
    {
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535)
        {
            return port;
        }

        notes.Add($"{Prefix}: Port: '{XarfFieldCheck.Quote(text)}' is not a port number; the event has no port");
        return null;
    }

    /// <summary>A stable, short report type from the sender's Report-Type.</summary>
    private static string ReportTypeName(string reportType)
    {
        var name = new string(XarfYamlTaxonomy.Normalize(reportType).Where(c => char.IsAsciiLetterOrDigit(c) || c == '-').Take(48).ToArray());
        return name.Length == 0 ? "unknown" : name;
    }

    private static string? Excerpt(XarfYamlReport report, MimeEntity? evidencePart)
    {
        var excerpt = new EvidenceExcerpt().Add("Report", "X-ARF");
        foreach (var name in ExcerptFields)
        {
            excerpt.Add(name, report[name]);
        }

        DescribeEvidence(evidencePart, excerpt);
        return excerpt.Build();
    }

    /// <summary>
    /// The evidence part: a mail by its identifying headers (never its recipients), text by its first lines,
    /// anything else by type and name only.
    /// </summary>
    private static void DescribeEvidence(MimeEntity? part, EvidenceExcerpt excerpt)
    {
        switch (part)
        {
            case MessagePart { Message: { } message }:
                DescribeMessage(message.Headers, excerpt);
                break;
            case MimePart headers when headers.ContentType.MimeType.StartsWith("text/rfc822-header", StringComparison.OrdinalIgnoreCase):
                if (ReadHeaders(headers) is { } list)
                {
                    DescribeMessage(list, excerpt);
                }

                break;
            case MimePart text when text.ContentType.MediaType.Equals("text", StringComparison.OrdinalIgnoreCase):
                var content = BoundedPartText.ReadText(text, MaxEvidenceBytes, out var truncated);
                var lines = content.Split('\n').Where(l => !string.IsNullOrWhiteSpace(l) && !NamesARecipient(l)).ToList();
                excerpt.AddHeading($"Evidence ({EvidenceExcerpt.Flatten(text.ContentType.MimeType, 64)}):");
                foreach (var line in lines.Take(MaxEvidenceLines))
                {
                    excerpt.Add("Log", EvidenceExcerpt.Flatten(line, MaxEvidenceLineLength));
                }

                if (truncated || lines.Count > MaxEvidenceLines)
                {
                    excerpt.Add("Log", "(more in the attachment)");
                }

                break;
            case MimePart other:
                excerpt.Add("Attachment", string.Join(", ", new[] { other.ContentType.MimeType, other.FileName }.Where(p => !string.IsNullOrWhiteSpace(p))));
                break;
        }
    }

    private static void DescribeMessage(HeaderList headers, EvidenceExcerpt excerpt)
    {
        excerpt.AddHeading("Attached message:");
        excerpt.Add("From", headers[HeaderId.From]);
        excerpt.Add("Subject", headers[HeaderId.Subject]);
        excerpt.Add("Date", headers[HeaderId.Date]);
        excerpt.Add("Message-ID", headers[HeaderId.MessageId]);
    }

    private static HeaderList? ReadHeaders(MimePart part)
    {
        using var stream = new MemoryStream(BoundedPartText.ReadBytes(part, MaxEvidenceBytes, out _));
        try
        {
            return HeaderList.Load(MailParserSettings.Options, stream);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Evidence is shown to the customer; a mail pasted into a text attachment still names the complainant
    /// in its recipient headers, and handing that address to a spammer lets them wash their list.
    /// </summary>
    private static bool NamesARecipient(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && RecipientHeaders.Contains(line[..colon].Trim());
    }
}
