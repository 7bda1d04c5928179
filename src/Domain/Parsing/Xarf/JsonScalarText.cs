using System.Text.Json;

namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>How a report's own JSON values are shown in an evidence excerpt.</summary>
internal static class JsonScalarText
{
    private const int MaxArrayItemsShown = 10;

    /// <summary>Scalars as written, arrays of scalars as a short list; objects (and null) are left out.</summary>
    public static string? Display(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                return value.GetRawText();
            case JsonValueKind.Array:
                var items = value.EnumerateArray()
                    .Where(e => e.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                    .Take(MaxArrayItemsShown + 1)
                    .Select(e => e.ValueKind == JsonValueKind.String ? EvidenceExcerpt.Flatten(e.GetString(), 100) : e.GetRawText())
                    .ToList();
                if (items.Count == 0)
                {
                    return null;
                }

                return items.Count > MaxArrayItemsShown
                    ? string.Join(", ", items.Take(MaxArrayItemsShown)) + ", …"
                    : string.Join(", ", items);
            default:
                return null;
        }
    }

    public static string? Field(JsonElement owner, string name) =>
        owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(name, out var value) ? Display(value) : null;

    public static string? StringField(JsonElement owner, string name) =>
        owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
