using Microsoft.AspNetCore.Connections;

namespace AbuseDesk.Functions.Hosting;

/// <summary>
/// A request the client broke rather than one the desk failed: a body whose HTTP framing cannot be read (a bad chunk
/// size), one that stops arriving (the server's minimum data rate), or one bigger than the server takes. Kestrel
/// raises these from the handler's first body read, so they surface inside the function, where they are answered as
/// the 4xx they are and kept out of the error log.
/// </summary>
public sealed record ClientFault(int Status, string Title, string Detail)
{
    private static readonly ClientFault Malformed = new(StatusCodes.Status400BadRequest, "Malformed request body",
        "The request body could not be read: its HTTP framing (chunked transfer coding or length) is broken.");

    private static readonly ClientFault MalformedForm = new(StatusCodes.Status400BadRequest, "Malformed form",
        "The form body could not be read: its multipart framing or encoding is broken.");

    private static readonly ClientFault UnsupportedCharset = new(StatusCodes.Status415UnsupportedMediaType, "Unsupported charset",
        "The body's Content-Type names a charset this server does not decode; send it as UTF-8.");

    /// <summary>The fault to answer with, or null when the exception is not the client's doing (or the client is gone).</summary>
    public static ClientFault? Of(Exception exception, HttpContext context) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } =>
            new(StatusCodes.Status408RequestTimeout, "Request body too slow", "The request body arrived too slowly and was not read to its end; send it again."),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new(StatusCodes.Status413PayloadTooLarge, "Request body too large", "The request body is larger than this server accepts."),
        BadHttpRequestException => Malformed,
        _ when IsClientGone(exception, context) => null,
        // Kestrel reports a chunk size that overflows as a plain IOException ("Bad chunk size data."), not as a
        // BadHttpRequestException; any IOException Kestrel itself raises mid-request is about the client's bytes.
        IOException { Source: "Microsoft.AspNetCore.Server.Kestrel.Core" } => Malformed,
        // The form reader (FormFeature, MultipartReader) throws IOException and InvalidDataException for a multipart
        // body cut short or mis-framed, and Encoding.GetEncoding's NotSupportedException for a charset .NET refuses
        // (UTF-7): all about the bytes the client sent, found as 500s on the portal's form by bench/fuzz.
        IOException or InvalidDataException when FromFormReader(exception) => MalformedForm,
        NotSupportedException when exception.TargetSite?.DeclaringType == typeof(System.Text.Encoding) && FromFormReader(exception) => UnsupportedCharset,
        _ => null,
    };

    private static bool FromFormReader(Exception exception) =>
        exception.StackTrace is { } trace
        && (trace.Contains("Microsoft.AspNetCore.Http.Features.FormFeature", StringComparison.Ordinal)
            || trace.Contains("Microsoft.AspNetCore.WebUtilities.MultipartReader", StringComparison.Ordinal));

    /// <summary>
    /// The client went away mid-request (a reset, or an abort): nobody reads an answer. A reset can surface as an
    /// IOException from the body read before the abort token is seen, so it is recognised by type as well.
    /// </summary>
    public static bool IsClientGone(Exception exception, HttpContext context) =>
        exception is ConnectionResetException
        || (exception is IOException or OperationCanceledException && context.RequestAborted.IsCancellationRequested);
}
