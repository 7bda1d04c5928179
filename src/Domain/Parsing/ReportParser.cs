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

    // Asked in order; the first that claims a mail reads it. Structured formats come before the free-text
    // fallback, which claims any mail that names an IP or URL. A mail whose headers or MIME structure declare it a
    // bounce or an auto-reply is no report even when it returns one, so it is set aside first; one that only
    // reads like a non-report (its subject, its sender, its first line) is set aside after the structured
    // formats had their say and before free text would route what it quotes.
    private static readonly IMailReportFormat[] MailFormats =
    [
        Mail.NonReportMailFormat.Declared,
        new ArfMailFormat(),
        new Xarf.XarfMailFormat(),
        new Shadowserver.ShadowserverMailFormat(),
        new Mail.ReporterMailFormat(),
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

    private static ReportReading OpenMail(Stream content, ReportInput input)
    {
        MimeMessage message;
        try
        {
            message = MimeMessage.Load(MailParserSettings.Options, content);
        }
        catch (FormatException ex)
        {
            return ReportReading.Failed(ReportFormats.Unknown, $"not a parsable email message: {ex.Message}");
        }

        foreach (var format in MailFormats)
        {
            if (format.Claims(message))
            {
                var reading = format.Read(message, input);
                return reading.Error is not null || reading.IgnoredBecause is not null
                    ? Dispose(message, reading)
                    : new ReportReading(reading.Format, reading.Events, reading.Notes, new Owned(message, reading));
            }
        }

        return Dispose(message, ReportReading.Failed(ReportFormats.Unknown, UnrecognizedFormat));
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
