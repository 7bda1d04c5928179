using System.Text.Json;

namespace AbuseDesk.Domain.Parsing.Xarf;

// PLACEHOLDER until the XARF JSON parser lands (issue 3): recognises nothing.
internal static class XarfJson
{
    /// <summary>The outcome when <paramref name="root"/> is an XARF document (v3 or v4), valid or not; null when it is not XARF at all.</summary>
    public static ParseOutcome? TryRead(JsonElement root) => null;
}
