using System.Globalization;

namespace AbuseDesk.Domain.Parsing.Shadowserver;

/// <summary>
/// Builds a row's evidence as one line, <c>name=value; name=value</c>, of its non-empty columns. Values are
/// flattened exactly as <see cref="EvidenceExcerpt.Flatten"/> does (one line, no control or format
/// characters, at most 512 characters each) and the line is bounded as <see cref="ReportEvent.BoundEvidence"/>
/// bounds it, but into a reused buffer: one string per row instead of one per value.
/// </summary>
internal sealed class EvidenceLine
{
    /// <summary>Longest value kept, as <see cref="EvidenceExcerpt"/> keeps them.</summary>
    public const int MaxValueLength = 512;

    /// <summary>Longest column name kept; names come from the report too.</summary>
    public const int MaxNameLength = 64;

    private const char Ellipsis = '…';

    // One more than the bound: writing stops there, and reaching it means the line was cut.
    private readonly char[] _line = new char[ReportEvent.MaxEvidenceLength + 1];
    private readonly char[] _value = new char[MaxValueLength];
    private int _length;

    /// <summary>
    /// What precedes each column's value in evidence, "; name=", from the header. Names come from the report
    /// too, so they are flattened; a column whose name flattens to nothing is left out of evidence.
    /// </summary>
    public static string[] Prefixes(IReadOnlyList<string> header)
    {
        var prefixes = new string[header.Count];
        for (var i = 0; i < prefixes.Length; i++)
        {
            var name = EvidenceExcerpt.Flatten(header[i], MaxNameLength);
            prefixes[i] = name.Length == 0 ? string.Empty : $"; {name}=";
        }

        return prefixes;
    }

    public string? Build(CsvRecordReader record, string[] prefixes)
    {
        _length = 0;
        var columns = Math.Min(record.FieldCount, prefixes.Length);
        for (var i = 0; i < columns; i++)
        {
            var value = record[i];
            if (value.IsEmpty || prefixes[i].Length == 0)
            {
                continue;
            }

            // The first item has no separator before it.
            var prefix = _length == 0 ? prefixes[i].AsSpan(2) : prefixes[i];
            bool room;
            if (IsFlat(value))
            {
                room = Append(prefix) && Append(value);
            }
            else
            {
                var valueLength = Flatten(value, _value);
                if (valueLength == 0)
                {
                    continue;
                }

                room = Append(prefix) && Append(_value.AsSpan(0, valueLength));
            }

            if (!room)
            {
                break;
            }
        }

        if (_length == 0)
        {
            return null;
        }

        if (_length > ReportEvent.MaxEvidenceLength)
        {
            var cut = ReportEvent.MaxEvidenceLength - 1;
            if (char.IsHighSurrogate(_line[cut - 1]))
            {
                cut--;
            }

            _line[cut] = Ellipsis;
            _length = cut + 1;
        }

        return new string(_line, 0, _length);
    }

    /// <summary>
    /// Printable ASCII with single inner spaces and under the length limit, the bulk of report values:
    /// flattening would leave it as it is.
    /// </summary>
    private static bool IsFlat(ReadOnlySpan<char> value)
    {
        if (value.Length >= MaxValueLength || value.ContainsAnyExceptInRange(' ', '~'))
        {
            return false;
        }

        var space = value.IndexOf(' ');
        return space < 0 || (value[0] != ' ' && value[^1] != ' ' && !value[space..].Contains("  ", StringComparison.Ordinal));
    }

    /// <summary>
    /// <see cref="EvidenceExcerpt.Flatten"/> into <paramref name="destination"/> (at least
    /// <see cref="MaxValueLength"/> long); returns the length written.
    /// </summary>
    internal static int Flatten(ReadOnlySpan<char> value, Span<char> destination)
    {
        // Printable ASCII without spaces, the bulk of report values, needs no per-character decisions.
        if (value.Length < MaxValueLength && !value.ContainsAnyExceptInRange('!', '~'))
        {
            value.CopyTo(destination);
            return value.Length;
        }

        var length = 0;
        var pendingSpace = false;
        foreach (var c in value)
        {
            if (c < 0x80)
            {
                if (c <= ' ' || c == 0x7F)
                {
                    pendingSpace = length > 0;
                    continue;
                }
            }
            else if (char.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                // Bidi overrides and zero-width characters only serve to disguise text.
                continue;
            }
            else if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                pendingSpace = length > 0;
                continue;
            }

            if (pendingSpace)
            {
                destination[length++] = ' ';
                pendingSpace = false;
                if (length >= MaxValueLength)
                {
                    return Cut(destination);
                }
            }

            destination[length++] = c;
            if (length >= MaxValueLength)
            {
                return Cut(destination);
            }
        }

        return length;
    }

    private static int Cut(Span<char> destination)
    {
        var cut = MaxValueLength - 1;
        if (char.IsHighSurrogate(destination[cut - 1]))
        {
            cut--;
        }

        destination[cut] = Ellipsis;
        return cut + 1;
    }

    /// <summary>Appends as much as fits; false once the line is full.</summary>
    private bool Append(ReadOnlySpan<char> text)
    {
        var room = _line.Length - _length;
        if (text.Length <= room)
        {
            text.CopyTo(_line.AsSpan(_length));
            _length += text.Length;
            return _length < _line.Length;
        }

        text[..room].CopyTo(_line.AsSpan(_length));
        _length = _line.Length;
        return false;
    }
}
