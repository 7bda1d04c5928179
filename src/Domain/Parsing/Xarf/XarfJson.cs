using System.Text.Json;

namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>
/// Recognises XARF JSON reports: v4 (<c>xarf_version</c>) and v3 (<c>Version</c> "3" with
/// <c>ReporterInfo</c>/<c>Report</c>). Used for JSON bodies and for JSON parts of mails.
/// </summary>
internal static class XarfJson
{
    /// <summary>
    /// The outcome when <paramref name="root"/> is an XARF document (v3 or v4), valid or not; null when it
    /// is not XARF at all. Never throws for any document: a reader bug becomes a failed outcome.
    /// </summary>
    public static ParseOutcome? TryRead(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var format = XarfV4Reader.Claims(root) ? XarfFormats.V4 : XarfV3Reader.Claims(root) ? XarfFormats.V3 : null;
        if (format is null)
        {
            return null;
        }

        try
        {
            return format == XarfFormats.V4 ? XarfV4Reader.Read(root) : XarfV3Reader.Read(root);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or ObjectDisposedException))
        {
            return ParseOutcome.Failure(format, $"the XARF report could not be read ({ex.GetType().Name}: {ex.Message})");
        }
    }
}
