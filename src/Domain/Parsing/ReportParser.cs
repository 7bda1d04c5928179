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

    /// <summary>Detects the report's format from its content type and content, then parses it.</summary>
    /// <remarks>
    /// Failures to read <paramref name="content"/> itself (I/O errors, cancellation) are not a property
    /// of the report and propagate, so the caller retries instead of marking a good report failed.
    /// </remarks>
    public static ParseOutcome Parse(Stream content, ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(input);

        try
        {
            return MediaType(input.ContentType) switch
            {
                "message/rfc822" => ParseMail(content),
                "application/json" => ParseJson(content),
                _ => ParseOutcome.Failure(ReportFormats.Unknown, UnrecognizedFormat),
            };
        }
        catch (Exception ex) when (ex is not (IOException or OperationCanceledException or ObjectDisposedException))
        {
            // A parser bug on some unforeseen input must not lose the report or poison the queue.
            return ParseOutcome.Failure(ReportFormats.Unknown, $"the report could not be parsed ({ex.GetType().Name}: {ex.Message})");
        }
    }

    private static ParseOutcome ParseMail(Stream content)
    {
        MimeMessage message;
        try
        {
            message = MimeMessage.Load(MailParserSettings.Options, content);
        }
        catch (FormatException ex)
        {
            return ParseOutcome.Failure(ReportFormats.Unknown, $"not a parsable email message: {ex.Message}");
        }

        using (message)
        {
            return ArfParser.IsArf(message)
                ? ArfParser.Parse(message)
                : ParseOutcome.Failure(ReportFormats.Unknown, UnrecognizedFormat);
        }
    }

    private static ParseOutcome ParseJson(Stream content)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content, JsonOptions);
        }
        catch (JsonException ex)
        {
            return ParseOutcome.Failure(ReportFormats.Unknown, MalformedJson(ex));
        }

        using (document)
        {
            // XARF v4 documents are recognised here too once that parser exists.
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("events", out var events)
                ? JsonEventsParser.Parse(events)
                : ParseOutcome.Failure(ReportFormats.Unknown, UnrecognizedFormat);
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
