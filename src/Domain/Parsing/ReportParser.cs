using System.Text.Json;
using MimeKit;

namespace AbuseDesk.Domain.Parsing;

/// <summary>
/// The one entry point for turning a raw report into events. Pure: reads only the given stream.
/// Whatever the bytes are, the answer is an outcome, never an exception: reports come from anyone,
/// and a report that cannot be parsed is still kept with the reason it failed.
/// </summary>
public static class ReportParser
{
    internal const string UnrecognizedFormat = "unrecognized format";

    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        // Event documents are two levels deep; a deep document is an attack on the parser's stack.
        MaxDepth = 32,
    };

    // Asked in order; the first that claims a mail and reads it wins (see OpenMail). Structured formats come
    // before the free-text fallback, which claims any mail that names an IP or URL. A mail whose headers or MIME
    // structure declare it a bounce or an auto-reply is no report even when it returns one, so it is set aside
    // first; one that only reads like a non-report (its subject, its sender, its first line) is set aside after
    // the structured formats had their say and before free text would route what it quotes.
    private static readonly IMailReportFormat[] MailFormats =
    [
        Mail.NonReportMailFormat.Declared,
        new ArfMailFormat(),
        new Xarf.XarfMailFormat(),
        new Shadowserver.ShadowserverMailFormat(),
        new Mail.ReporterMailFormat(),
        new Mail.AttachedDataMailFormat(),
        Mail.NonReportMailFormat.Apparent,
        new Mail.FreeTextMailFormat(),
    ];

    /// <summary>Detects the report's format and reads it completely (for small reports and tests).</summary>
    /// <remarks>
    /// Failures to read <paramref name="content"/> itself (I/O errors, cancellation) are not a property
    /// of the report and propagate, so the caller retries instead of marking a good report failed.
    /// </remarks>
    public static ParseOutcome Parse(Stream content, ReportInput input)
    {
        using var reading = Open(content, input);
        if (reading.Error is not null)
        {
            return ParseOutcome.Failure(reading.Format, reading.Error);
        }

        if (reading.IgnoredBecause is { } reason)
        {
            return ParseOutcome.Ignore(reason);
        }

        try
        {
            return ParseOutcome.Success(reading.Format, reading.Events.ToList());
        }
        catch (ReportRejectedException ex)
        {
            return ParseOutcome.Failure(reading.Format, ex.Message);
        }
        catch (Exception ex) when (ex is not (IOException or OperationCanceledException or ObjectDisposedException))
        {
            return ParseOutcome.Failure(reading.Format, $"the report could not be parsed ({ex.GetType().Name}: {ex.Message})");
        }
    }

    /// <summary>
    /// Detects the report's format and starts reading it. Events stream lazily from <paramref name="content"/>,
    /// which must stay open until the reading is disposed. Exceptions from a parser while enumerating are
    /// the caller's to turn into a failure (see <see cref="Parse"/>).
    /// </summary>
    public static ReportReading Open(Stream content, ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(input);

        try
        {
            return MediaType(input.ContentType) switch
            {
                "message/rfc822" => OpenMail(content, input),
                "application/json" => OpenJson(content),
                "text/csv" or "application/zip" or "application/x-zip-compressed" => Shadowserver.ShadowserverCsv.Read(content, input),
                _ => ReportReading.Failed(ReportFormats.Unknown, UnrecognizedFormat),
            };
        }
        catch (Exception ex) when (ex is not (IOException or OperationCanceledException or ObjectDisposedException))
        {
            // A parser bug on some unforeseen input must not lose the report or poison the queue.
            return ReportReading.Failed(ReportFormats.Unknown, $"the report could not be parsed ({ex.GetType().Name}: {ex.Message})");
        }
    }

    /// <summary>
    /// Asks the mail formats in order. A format that claims the mail and then cannot read it lets the next one
    /// try (an ARF multipart/report whose data is an XARF attachment, an ACNS notice whose XML is broken but whose
    /// prose names the IP); the report keeps why, in a note. A partial reading (<see cref="ReportReading.Partial"/>)
    /// is completed by the structured formats after it; free text is only the last resort, never a supplement,
    /// because it would add every address a structured report quotes. Nothing is asked twice and every format
    /// stays bounded on its own, so the whole stays bounded.
    /// </summary>
    private static ReportReading OpenMail(Stream content, ReportInput input)
    {
        MimeMessage message;
        try
        {
            message = MailParserSettings.Load(content);
        }
        catch (FormatException ex)
        {
            return ReportReading.Failed(ReportFormats.Unknown, $"not a parsable email message: {ex.Message}");
        }
        catch (ReportRejectedException ex)
        {
            return ReportReading.Failed(ReportFormats.Unknown, ex.Message);
        }

        ReportReading? failed = null;
        var notes = new List<string>();
        MailReading? read = null;
        foreach (var format in MailFormats)
        {
            if (read is not null && format is Mail.FreeTextMailFormat)
            {
                break;
            }

            // A report was read: what only reads like a non-report has nothing left to set aside.
            if (!format.Claims(message) || (read is not null && format is Mail.NonReportMailFormat))
            {
                continue;
            }

            var reading = format.Read(message, input);
            if (reading.IgnoredBecause is not null)
            {
                return Dispose(message, reading);
            }

            if (reading.Error is not null)
            {
                failed ??= reading;
                notes.Add($"{reading.Format} could not read the mail ({reading.Error}); the next format was asked");
                continue;
            }

            if (read is null)
            {
                read = new MailReading(reading);
                if (!reading.Partial)
                {
                    break;
                }
            }
            else
            {
                read.Add(reading);
            }
        }

        if (read is null)
        {
            return Dispose(message, failed ?? ReportReading.Failed(ReportFormats.Unknown, UnrecognizedFormat));
        }

        foreach (var note in notes)
        {
            read.Primary.Notes.Add(note);
        }

        return read.Primary.With(read.Events(), new Owned([message, .. read.Readings]));
    }

    /// <summary>
    /// A partial reading and the readings that complete it. An added event counts only when it names an IP or
    /// URL the first reading does not: the same host read twice is one event, and the first reader's is the
    /// more certain. The first reading is one mail's worth of events (ARF: one); the others stream as they are.
    /// </summary>
    private sealed class MailReading(ReportReading primary)
    {
        private const int MaxRemembered = 10_000;

        private readonly List<ReportReading> _added = [];

        public ReportReading Primary { get; } = primary;

        public IEnumerable<ReportReading> Readings => _added.Prepend(Primary);

        public void Add(ReportReading reading)
        {
            _added.Add(reading);
            Primary.Notes.Add($"also read as {reading.Format}: its events that name another IP or URL were added");
            foreach (var note in reading.Notes.Items)
            {
                Primary.Notes.Add($"{reading.Format}: {note}");
            }
        }

        public IEnumerable<ReportEvent> Events()
        {
            if (_added.Count == 0)
            {
                return Primary.Events;
            }

            return Merge();
        }

        private IEnumerable<ReportEvent> Merge()
        {
            var ips = new HashSet<string>(StringComparer.Ordinal);
            var urls = new HashSet<string>(StringComparer.Ordinal);
            foreach (var reportEvent in Primary.Events)
            {
                Remember(reportEvent, ips, urls);
                yield return reportEvent;
            }

            foreach (var reading in _added)
            {
                foreach (var reportEvent in reading.Events)
                {
                    var newIp = reportEvent.Ip is { } ip && !ips.Contains(ip);
                    var newUrl = reportEvent.Url is { } url && !urls.Contains(url);
                    if (newIp || newUrl)
                    {
                        Remember(reportEvent, ips, urls);
                        yield return reportEvent;
                    }
                }
            }
        }

        // Bounded: an added reading may be a streamed attachment of a million rows; past the bound an event is
        // still compared with the first reading's hosts, only no longer with every earlier added one.
        private static void Remember(ReportEvent reportEvent, HashSet<string> ips, HashSet<string> urls)
        {
            if (ips.Count + urls.Count >= MaxRemembered)
            {
                return;
            }

            if (reportEvent.Ip is { } ip)
            {
                ips.Add(ip);
            }

            if (reportEvent.Url is { } url)
            {
                urls.Add(url);
            }
        }
    }

    private static ReportReading Dispose(IDisposable owned, ReportReading reading)
    {
        owned.Dispose();
        return reading;
    }

    private sealed class Owned(params IDisposable[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items)
            {
                item.Dispose();
            }
        }
    }

    private static ReportReading OpenJson(Stream content)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content, JsonOptions);
        }
        catch (JsonException ex)
        {
            return ReportReading.Failed(ReportFormats.Unknown, MalformedJson(ex));
        }

        using (document)
        {
            if (Xarf.XarfJson.TryRead(document.RootElement) is { } xarf)
            {
                return ReportReading.Of(xarf);
            }

            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("events", out var events)
                ? ReportReading.Of(JsonEventsParser.Parse(events))
                : ReportReading.Failed(ReportFormats.Unknown, UnrecognizedFormat);
        }
    }

    private static string MalformedJson(JsonException ex)
    {
        // JsonException counts lines and bytes from zero and appends them to its message; reporters
        // read positions the way their editors show them.
        var message = ex.Message;
        var suffix = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (suffix >= 0)
        {
            message = message[..suffix];
        }

        return ex.LineNumber is { } line && ex.BytePositionInLine is { } position
            ? $"malformed JSON at line {line + 1}, byte {position + 1}: {message}"
            : $"malformed JSON: {message}";
    }

    /// <summary>"Message/RFC822; charset=x" → "message/rfc822".</summary>
    private static string MediaType(string? contentType)
    {
        var value = contentType ?? string.Empty;
        var parameters = value.IndexOf(';', StringComparison.Ordinal);
        return (parameters >= 0 ? value[..parameters] : value).Trim().ToLowerInvariant();
    }
}
