using System.Text;
using MimeKit;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// SpamCop's own report layout (the plain-text one; SpamCop's ARF reports are read as ARF):
/// <code>
/// [ SpamCop V5.4.0 ]
/// Email from 192.0.2.45 / Thu, 19 Nov 2026 08:14:02 -0000
/// https://www.spamcop.net/sc?id=...
///
/// [ Offending message ]
/// Received: ...
/// </code>
/// or, for a site advertised in spam, "Spamvertised web site: URL" with a line "URL is IP; date".
/// </summary>
internal sealed class SpamCopReport : IReporterLayout
{
    private const string Banner = "[ SpamCop V";
    private const string OffendingMessage = "[ Offending message ]";
    private const string EmailFrom = "Email from ";
    private const string Spamvertised = "Spamvertised web site:";

    // The reported message's headers sit at the top of what follows the marker.
    private const int MaxHeaderChars = 64 * 1024;

    public string Format => "spamcop";

    public bool Claims(MailContent mail) => Body(mail) is not null;

    public ReportReading Read(MailContent mail)
    {
        var events = new ReporterEvents();
        if (Body(mail) is not { } body)
        {
            return events.ToReading(Format, "no SpamCop report in the mail");
        }

        var headers = OffendingHeaders(body);
        var reportLink = body.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("https://www.spamcop.net/", StringComparison.OrdinalIgnoreCase)
            || l.StartsWith("http://www.spamcop.net/", StringComparison.OrdinalIgnoreCase));
        var spamvertisedUrls = new List<string>();
        var resolved = new Dictionary<string, (string Ip, DateTimeOffset? At)>(StringComparer.Ordinal);

        foreach (var rawLine in body.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.StartsWith(OffendingMessage, StringComparison.Ordinal))
            {
                break;
            }

            if (line.StartsWith(EmailFrom, StringComparison.Ordinal) && ReadEmailFrom(line) is { } source)
            {
                events.Add(new ReportEvent
                {
                    Ip = source.Ip,
                    AbuseClass = AbuseClass.Spam,
                    ReportType = "spamcop-spam",
                    Severity = Severity.Medium,
                    OccurredAt = source.At,
                    Evidence = Evidence(mail, line, reportLink, headers),
                });
            }
            else if (line.StartsWith(Spamvertised, StringComparison.Ordinal))
            {
                spamvertisedUrls.Add(line[Spamvertised.Length..].Trim());
            }
            else if (ReadResolution(line) is { } resolution)
            {
                resolved.TryAdd(resolution.Url, (resolution.Ip, resolution.At));
            }
        }

        foreach (var text in spamvertisedUrls.Distinct(StringComparer.Ordinal))
        {
            if (!UrlText.TryRead(text, out var url, out var hostIp))
            {
                events.Notes.Skip($"SpamCop spamvertised site is not a URL: '{EvidenceExcerpt.Flatten(text, 100)}'");
                continue;
            }

            var ip = resolved.TryGetValue(text, out var site) ? site.Ip : hostIp;
            events.Add(new ReportEvent
            {
                Ip = ip,
                Url = url,
                AbuseClass = AbuseClass.Spam,
                ReportType = "spamcop-spamvertised",
                Severity = Severity.Medium,
                OccurredAt = resolved.TryGetValue(text, out site) ? site.At : null,
                Evidence = Evidence(mail, $"Spamvertised web site: {text}", reportLink, headers),
            });
        }

        return events.ToReading(Format, "SpamCop report names no source IP and no spamvertised site");
    }

    /// <summary>The reporter's own text part that carries the SpamCop banner.</summary>
    private static string? Body(MailContent mail) =>
        mail.Texts.Where(t => t.IsOwnBody && t.IsPlain).Select(t => t.Text).FirstOrDefault(text =>
            text.Contains(Banner, StringComparison.Ordinal)
            && (text.Contains(EmailFrom, StringComparison.Ordinal) || text.Contains(Spamvertised, StringComparison.Ordinal)));

    /// <summary>"Email from 192.0.2.45 / Thu, 19 Nov 2026 08:14:02 -0000".</summary>
    private static (string Ip, DateTimeOffset? At)? ReadEmailFrom(string line)
    {
        var rest = line[EmailFrom.Length..];
        var slash = rest.IndexOf(" / ", StringComparison.Ordinal);
        var address = slash < 0 ? rest.Trim() : rest[..slash].Trim();
        return IpAddressText.TryNormalize(address, out var ip)
            ? (ip, slash < 0 ? null : ReportedTime.ReadMail(rest[(slash + 3)..]))
            : null;
    }

    /// <summary>"http://pills.example/ is 192.0.2.80; Thu, 19 Nov 2026 08:20:11 -0000".</summary>
    private static (string Url, string Ip, DateTimeOffset? At)? ReadResolution(string line)
    {
        var separator = line.IndexOf(" is ", StringComparison.Ordinal);
        if (separator <= 0 || !line.StartsWith("http", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var rest = line[(separator + 4)..];
        var semicolon = rest.IndexOf(';', StringComparison.Ordinal);
        var address = semicolon < 0 ? rest.Trim() : rest[..semicolon].Trim();
        return IpAddressText.TryNormalize(address, out var ip)
            ? (line[..separator].Trim(), ip, semicolon < 0 ? null : ReportedTime.ReadMail(rest[(semicolon + 1)..]))
            : null;
    }

    private static HeaderList? OffendingHeaders(string body)
    {
        var marker = body.IndexOf(OffendingMessage, StringComparison.Ordinal);
        if (marker < 0)
        {
            return null;
        }

        var start = body.IndexOf('\n', marker);
        if (start < 0)
        {
            return null;
        }

        var text = body.Substring(start + 1, Math.Min(MaxHeaderChars, body.Length - start - 1));
        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text), writable: false);
            return HeaderList.Load(MailParserSettings.Options, stream);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // The reported message's recipient is left out: evidence is shown to the customer, and the
    // complainant's address is not the spammer's to know.
    private static string? Evidence(MailContent mail, string reportLine, string? reportLink, HeaderList? headers)
    {
        var excerpt = new EvidenceExcerpt()
            .Add("Reporter", "SpamCop")
            .Add("Report", reportLine)
            .Add("SpamCop link", reportLink)
            .Add("Subject", mail.Subject);
        if (headers is not null)
        {
            excerpt.AddHeading("Reported message:")
                .Add("From", headers[HeaderId.From])
                .Add("Subject", headers[HeaderId.Subject])
                .Add("Date", headers[HeaderId.Date])
                .Add("Message-ID", headers[HeaderId.MessageId]);
        }

        return excerpt.Build();
    }
}
