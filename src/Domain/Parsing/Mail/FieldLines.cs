namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>Reads "Name: value" lines, the way most reporters write their fields.</summary>
internal static class FieldLines
{
    /// <summary>Splits "Name: value"; false when the line has no colon or the name is not a plausible field name.</summary>
    public static bool TrySplit(string line, out string name, out string value)
    {
        name = string.Empty;
        value = string.Empty;
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon > 64)
        {
            return false;
        }

        name = line[..colon].Trim();
        value = line[(colon + 1)..].Trim();
        return name.Length > 0;
    }

    /// <summary>
    /// The fields of a block of "Name: value" lines, first value of each name kept, names compared
    /// without case. Lines that are not fields are ignored.
    /// </summary>
    public static Dictionary<string, string> Read(IEnumerable<string> lines, int maxFields = 100)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines)
        {
            if (fields.Count >= maxFields)
            {
                break;
            }

            if (TrySplit(line, out var name, out var value))
            {
                fields.TryAdd(name, value);
            }
        }

        return fields;
    }
}
