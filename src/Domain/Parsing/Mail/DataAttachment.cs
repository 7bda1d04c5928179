using System.Text;
using System.Text.Json;
using AbuseDesk.Domain.Parsing.Shadowserver;
using MimeKit;
using Sylvan.Data.Csv;

namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Reads one attachment as a table when it is data: a CSV (text/csv, or any part named .csv: reporters send
/// it as application/octet-stream or vnd.ms-excel), a zip holding a CSV, or JSON events (IntelMQ's array, or
/// one event a line). A table counts only when a column names an address (<see cref="DataRowEvent"/>), so a
/// price list or a JSON config attached to a complaint is not taken for a report. Bounded: the part is
/// decoded to <see cref="AttachedDataMailFormat.MaxTableBytes"/>, rows to <see cref="ReporterEvents.MaxEvents"/>.
/// </summary>
internal static class DataAttachment
{
    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 16 };

    // Zip limits for a mailed attachment: the same guards against bombs as a Shadowserver report.
    private static readonly ShadowserverLimits ZipLimits = ShadowserverLimits.Default with { MaxEntryBytes = AttachedDataMailFormat.MaxTableBytes * 4L };

    public static DataTable? Read(MimePart part)
    {
        var name = part.FileName ?? part.ContentType.Name ?? string.Empty;
        var kind = KindOf(part, name);
        if (kind == Kind.None)
        {
            return null;
        }

        var notes = new List<string>();
        var shown = EvidenceExcerpt.Flatten(name, 100);
        byte[] bytes;
        try
        {
            bytes = Decode(part, kind, notes, shown, ref name);
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or NotSupportedException or ReportRejectedException)
        {
            return null;
        }

        if (bytes.Length == 0)
        {
            return null;
        }

        var rows = IsJson(name, part) ? JsonRows(bytes) : CsvRows(bytes, notes, shown);
        return rows is { Count: > 0 } && DataRowEvent.NamesAnAddress(rows[0]) ? new DataTable(name, rows, notes) : null;
    }

    private enum Kind
    {
        None,
        Text,
        Zip,
    }

    private static Kind KindOf(MimePart part, string name)
    {
        var type = part.ContentType;
        if (type.IsMimeType("application", "zip") || type.IsMimeType("application", "x-zip-compressed") || EndsWith(name, ".zip"))
        {
            return Kind.Zip;
        }

        var csv = type.IsMimeType("text", "csv") || type.IsMimeType("application", "csv") || type.IsMimeType("text", "comma-separated-values")
            || EndsWith(name, ".csv");
        return csv || IsJson(name, part) ? Kind.Text : Kind.None;
    }

    private static bool IsJson(string name, MimePart part) =>
        part.ContentType.IsMimeType("application", "json") || EndsWith(name, ".json") || EndsWith(name, ".jsonl") || EndsWith(name, ".ndjson")
        || EndsWith(name, ".json.zip");

    private static bool EndsWith(string name, string suffix) => name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The part's bytes (a zip's first CSV or JSON entry), at most <see cref="AttachedDataMailFormat.MaxTableBytes"/>.</summary>
    private static byte[] Decode(MimePart part, Kind kind, List<string> notes, string shown, ref string name)
    {
        using var content = part.Content!.Open();
        if (kind == Kind.Text)
        {
            return ReadBounded(content, notes, shown);
        }

        using var peeked = PeekedStream.Open(content, 4);
        if (!ZipCsvEntry.IsZip(peeked.Head))
        {
            return [];
        }

        using var entry = ZipCsvEntry.Open(peeked, ZipLimits, out _);
        if (entry is null)
        {
            return [];
        }

        name = entry.Name;
        return ReadBounded(entry, notes, shown);
    }

    private static byte[] ReadBounded(Stream stream, List<string> notes, string shown)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while (buffer.Length < AttachedDataMailFormat.MaxTableBytes
               && (read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, AttachedDataMailFormat.MaxTableBytes - buffer.Length))) > 0)
        {
            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length >= AttachedDataMailFormat.MaxTableBytes && stream.Read(chunk, 0, 1) > 0)
        {
            notes.Add($"attachment '{shown}': only its first {AttachedDataMailFormat.MaxTableBytes / (1024 * 1024)} MB were read");
        }

        return buffer.ToArray();
    }

    private static List<IReadOnlyList<KeyValuePair<string, string>>>? CsvRows(byte[] bytes, List<string> notes, string shown)
    {
        var text = new UTF8Encoding(false, false).GetString(bytes).TrimStart('\uFEFF');
        var rows = new List<IReadOnlyList<KeyValuePair<string, string>>>();
        try
        {
            // Sylvan's default buffer bounds a record (64K characters), as for AbuseHub's CSV.
            var options = new CsvDataReaderOptions { HasHeaders = true, Delimiter = Delimiter(text) };
            using var reader = CsvDataReader.Create(new StringReader(text), options);
            var names = Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetName(i).Trim()).ToArray();
            if (!DataRowEvent.NamesAnAddress(names.Select(n => new KeyValuePair<string, string>(n, string.Empty)).ToList()))
            {
                return null;
            }

            while (reader.Read())
            {
                if (rows.Count >= ReporterEvents.MaxEvents)
                {
                    notes.Add($"attachment '{shown}': more than {ReporterEvents.MaxEvents} rows; the rest were not read");
                    break;
                }

                var row = new KeyValuePair<string, string>[Math.Min(names.Length, reader.RowFieldCount)];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = new(names[i], reader.GetString(i).Trim());
                }

                rows.Add(row);
            }
        }
        catch (Exception ex) when (ex is CsvFormatException or FormatException)
        {
            notes.Add($"attachment '{shown}': the CSV could not be read to the end: {EvidenceExcerpt.Flatten(ex.Message, 200)}");
        }

        return rows;
    }

    /// <summary>The separator of the header line: the one of comma, semicolon, tab and bar it uses most (outside quotes).</summary>
    private static char Delimiter(string text)
    {
        var end = text.IndexOf('\n');
        var header = end < 0 ? text.AsSpan() : text.AsSpan(0, end);
        char best = ',';
        var bestCount = 0;
        foreach (var candidate in ",;\t|")
        {
            var count = 0;
            var quoted = false;
            foreach (var c in header)
            {
                quoted ^= c == '"';
                count += !quoted && c == candidate ? 1 : 0;
            }

            if (count > bestCount)
            {
                best = candidate;
                bestCount = count;
            }
        }

        return best;
    }

    /// <summary>IntelMQ events: a JSON array of objects (or an object holding one), else one JSON object a line.</summary>
    private static List<IReadOnlyList<KeyValuePair<string, string>>> JsonRows(byte[] bytes)
    {
        var rows = new List<IReadOnlyList<KeyValuePair<string, string>>>();
        try
        {
            using var document = JsonDocument.Parse(bytes, JsonOptions);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                root = root.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array).Select(p => p.Value).FirstOrDefault();
            }

            if (root.ValueKind == JsonValueKind.Array)
            {
                foreach (var element in root.EnumerateArray().Take(ReporterEvents.MaxEvents))
                {
                    AddObject(element, rows);
                }
            }

            return rows;
        }
        catch (JsonException)
        {
            // JSON lines (IntelMQ's file output): one event a line.
        }

        var text = Encoding.UTF8.GetString(bytes);
        foreach (var line in text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('{')).Take(ReporterEvents.MaxEvents))
        {
            try
            {
                using var document = JsonDocument.Parse(line, JsonOptions);
                AddObject(document.RootElement, rows);
            }
            catch (JsonException)
            {
                // A line that is not an event; the others still are.
            }
        }

        return rows;
    }

    /// <summary>An event object as flat fields: IntelMQ writes "source.ip" flat, or nested as {"source": {"ip": …}}.</summary>
    private static void AddObject(JsonElement element, List<IReadOnlyList<KeyValuePair<string, string>>> rows)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var fields = new List<KeyValuePair<string, string>>();
        foreach (var property in element.EnumerateObject().Take(200))
        {
            if (property.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var inner in property.Value.EnumerateObject().Take(200))
                {
                    if (Scalar(inner.Value) is { } innerValue)
                    {
                        fields.Add(new($"{property.Name}.{inner.Name}", innerValue));
                    }
                }
            }
            else if (Scalar(property.Value) is { } value)
            {
                fields.Add(new(property.Name, value));
            }
        }

        rows.Add(fields);
    }

    private static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };
}
