namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>
/// The fields of an X-ARF 0.1/0.2 <c>report.txt</c>: a YAML document of top-level "Name: value" pairs.
/// </summary>
/// <remarks>
/// Read line by line rather than with a YAML library: senders write plain values YAML would reject
/// (a Source URL with " #" or a value starting with "*" or "@"), the format uses no nesting, and a
/// hand-written reader cannot be made to expand aliases or build deep structures from hostile input.
/// Quoted values and block scalars (| and >) are understood.
/// </remarks>
internal sealed class XarfYamlReport
{
    /// <summary>The fields that make a text an X-ARF report; a report carries most of them.</summary>
    public static readonly string[] MarkerFields =
        ["Reported-From", "Category", "Report-Type", "Source", "Source-Type", "Attachment", "Date", "Schema-URL", "User-Agent"];

    private const int MaxFields = 256;
    private const int MaxValueLength = 8192;

    private readonly Dictionary<string, string> _fields = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _duplicates = new(StringComparer.OrdinalIgnoreCase);

    private XarfYamlReport()
    {
    }

    public int Count => _fields.Count;

    /// <summary>Fields given more than once: which value counts would be a guess.</summary>
    public IReadOnlyCollection<string> Duplicates => _duplicates;

    public string? this[string name] => _fields.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    /// <summary>How many of <see cref="MarkerFields"/> the report has.</summary>
    public int MarkerCount => MarkerFields.Count(_fields.ContainsKey);

    public static XarfYamlReport Parse(string text)
    {
        var report = new XarfYamlReport();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length && report._fields.Count < MaxFields; i++)
        {
            var line = lines[i];
            if (line.Length == 0 || char.IsWhiteSpace(line[0]) || line.StartsWith('#') || line.StartsWith('%')
                || line.StartsWith("---", StringComparison.Ordinal) || line.StartsWith("...", StringComparison.Ordinal))
            {
                // Indented lines outside a block scalar are continuations YAML would fold; X-ARF senders do
                // not write them, and a key cannot start there.
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || (colon + 1 < line.Length && line[colon + 1] != ' ' && line[colon + 1] != '\t') || !IsKey(line.AsSpan(0, colon)))
            {
                continue;
            }

            var key = line[..colon];
            var raw = line[(colon + 1)..].Trim();
            string value;
            if (raw.Length > 0 && (raw[0] == '|' || raw[0] == '>'))
            {
                value = ReadBlock(lines, ref i, folded: raw[0] == '>');
            }
            else
            {
                value = Unquote(raw);
            }

            if (value.Length > MaxValueLength)
            {
                value = value[..MaxValueLength];
            }

            if (!report._fields.TryAdd(key, value))
            {
                report._duplicates.Add(key);
            }
        }

        return report;
    }

    private static bool IsKey(ReadOnlySpan<char> key)
    {
        if (key.Length > 64 || !char.IsAsciiLetter(key[0]))
        {
            return false;
        }

        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The indented lines after "Key: |" (kept as lines) or "Key: >" (folded into one).</summary>
    private static string ReadBlock(string[] lines, ref int index, bool folded)
    {
        var parts = new List<string>();
        while (index + 1 < lines.Length && (lines[index + 1].Length == 0 || char.IsWhiteSpace(lines[index + 1][0])))
        {
            index++;
            parts.Add(lines[index].Trim());
        }

        while (parts.Count > 0 && parts[^1].Length == 0)
        {
            parts.RemoveAt(parts.Count - 1);
        }

        return string.Join(folded ? " " : "\n", parts);
    }

    private static string Unquote(string raw)
    {
        if (raw.Length >= 2 && raw[0] == '\'' && raw[^1] == '\'')
        {
            return raw[1..^1].Replace("''", "'", StringComparison.Ordinal);
        }

        if (raw.Length >= 2 && raw[0] == '"' && raw[^1] == '"')
        {
            return raw[1..^1]
                .Replace("\\\"", "\"", StringComparison.Ordinal)
                .Replace("\\n", " ", StringComparison.Ordinal)
                .Replace("\\t", " ", StringComparison.Ordinal)
                .Replace("\\\\", "\\", StringComparison.Ordinal);
        }

        // A plain scalar ends at " #", where a comment starts.
        var comment = raw.IndexOf(" #", StringComparison.Ordinal);
        return comment >= 0 ? raw[..comment].TrimEnd() : raw;
    }
}
