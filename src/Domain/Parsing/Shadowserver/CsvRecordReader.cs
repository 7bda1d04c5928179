namespace AbuseDesk.Domain.Parsing.Shadowserver;

/// <summary>
/// Reads RFC 4180 CSV records from text, a buffer at a time, handing out fields as spans into that buffer so
/// a row costs no allocation. Quoted fields may hold commas, quotes ("") and line breaks; lines may end in
/// LF or CRLF; blank lines are passed over. Memory is bounded: a record longer than the limit is skipped,
/// however long it is, without being held.
/// </summary>
/// <remarks>
/// Lenient where reports are sloppy: a row shorter than the header reads as empty trailing fields, a longer
/// one keeps only the first <see cref="FieldLimit"/> fields, text after a closing quote is kept as text, and
/// an unterminated quote runs to the end of the input.
/// </remarks>
internal sealed class CsvRecordReader
{
    private const int InitialBufferLength = 64 * 1024;

    private readonly TextReader _reader;
    private readonly int _maxRecordLength;
    private readonly Field[] _fields;
    private char[] _buffer = new char[InitialBufferLength];
    private int _start;
    private int _end;
    private bool _eof;
    private int _fieldCount;
    private int _fieldLimit;
    private bool _blank;

    public CsvRecordReader(TextReader reader, int maxRecordLength, int maxFields)
    {
        _reader = reader;
        _maxRecordLength = maxRecordLength;
        _fields = new Field[maxFields];
        _fieldLimit = maxFields;
    }

    private enum Scan
    {
        Complete,
        NeedMore,
    }

    private enum SkipState
    {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }

    /// <summary>Fields kept per record; further ones are counted in <see cref="TotalFieldCount"/> only.</summary>
    public int FieldLimit
    {
        get => _fieldLimit;
        set => _fieldLimit = Math.Clamp(value, 1, _fields.Length);
    }

    /// <summary>Fields of the current record that are kept (at most <see cref="FieldLimit"/>).</summary>
    public int FieldCount => Math.Min(_fieldCount, _fieldLimit);

    /// <summary>All fields of the current record, including those beyond <see cref="FieldLimit"/>.</summary>
    public int TotalFieldCount => _fieldCount;

    /// <summary>Moves to the next non-blank record.</summary>
    public CsvRecordKind Read()
    {
        while (true)
        {
            if (_start == _end && !Fill())
            {
                return CsvRecordKind.End;
            }

            if (ScanRecord(out var next) == Scan.Complete)
            {
                var blank = _blank;
                var tooLong = next - _start > _maxRecordLength + 2; // the limit plus CR LF
                _start = next;
                if (blank)
                {
                    continue;
                }

                return tooLong ? CsvRecordKind.TooLong : CsvRecordKind.Record;
            }

            // The record runs past the buffered text: keep it whole if it fits the limit, else pass over it.
            if (_end - _start >= _maxRecordLength)
            {
                SkipRecord();
                return CsvRecordKind.TooLong;
            }

            // The record is scanned again from its start once more text is in; asking for at least as much
            // text as it already has keeps that linear however the source splits its reads.
            if (!Fill(minimum: _end - _start))
            {
                _eof = true;
            }
        }
    }

    /// <summary>
    /// Field <paramref name="index"/> of the current record, unquoted; empty when the row is shorter.
    /// Valid until the next <see cref="Read"/>.
    /// </summary>
    public ReadOnlySpan<char> this[int index]
    {
        get
        {
            if ((uint)index >= (uint)FieldCount)
            {
                return default;
            }

            ref var field = ref _fields[index];
            if (field.Quoted)
            {
                Unquote(ref field);
            }

            return _buffer.AsSpan(field.Start, field.Length);
        }
    }

    /// <summary>
    /// Finds the fields of the record at <see cref="_start"/>. Nothing is changed in the buffer, so when the
    /// record turns out to be incomplete it is simply scanned again after more text has been read.
    /// </summary>
    private Scan ScanRecord(out int next)
    {
        var buffer = _buffer;
        var end = _end;
        var position = _start;
        _fieldCount = 0;
        next = 0;

        while (true)
        {
            var fieldStart = position;
            var quoted = position < end && buffer[position] == '"';
            var closingQuote = -1;
            var escaped = false;
            if (quoted)
            {
                // Find the closing quote: a quote not followed by another ("" is an escaped quote).
                var cursor = position + 1;
                while (true)
                {
                    var quote = buffer.AsSpan(cursor, end - cursor).IndexOf('"');
                    if (quote < 0)
                    {
                        if (!_eof)
                        {
                            return Scan.NeedMore;
                        }

                        cursor = end;
                        break;
                    }

                    cursor += quote + 1;
                    if (cursor == end)
                    {
                        if (!_eof)
                        {
                            return Scan.NeedMore; // the next character decides whether this quote closes
                        }

                        closingQuote = cursor - 1;
                        break;
                    }

                    if (buffer[cursor] != '"')
                    {
                        closingQuote = cursor - 1;
                        break;
                    }

                    escaped = true;
                    cursor++;
                }

                position = cursor;
            }

            // Most quoted fields end with the quote right before the delimiter: no second search.
            int fieldEnd;
            if (position < end && buffer[position] is ',' or '\n')
            {
                fieldEnd = position;
            }
            else
            {
                var delimiter = buffer.AsSpan(position, end - position).IndexOfAny(',', '\n');
                if (delimiter < 0 && !_eof)
                {
                    return Scan.NeedMore;
                }

                fieldEnd = delimiter < 0 ? end : position + delimiter;
            }

            var endsRecord = fieldEnd == end || buffer[fieldEnd] == '\n';
            var length = fieldEnd - fieldStart;
            if (endsRecord && length > 0 && buffer[fieldEnd - 1] == '\r')
            {
                length--;
            }

            if (_fieldCount < _fieldLimit)
            {
                // A quoted field without escapes or trailing text is its inside; anything else is
                // unquoted when read (see Unquote).
                _fields[_fieldCount] = quoted && !escaped && closingQuote >= 0 && fieldStart + length == closingQuote + 1
                    ? new Field(fieldStart + 1, length - 2, Quoted: false)
                    : new Field(fieldStart, length, quoted);
            }

            _fieldCount++;
            if (endsRecord)
            {
                _blank = _fieldCount == 1 && length == 0 && !quoted;
                next = fieldEnd == end ? end : fieldEnd + 1;
                return Scan.Complete;
            }

            position = fieldEnd + 1;
        }
    }

    /// <summary>
    /// Passes over the record at <see cref="_start"/> without keeping it, reading as far as it goes. Follows
    /// the same quoting rules as <see cref="ScanRecord"/> so both agree on where the record ends.
    /// </summary>
    private void SkipRecord()
    {
        var state = SkipState.FieldStart;
        while (true)
        {
            for (var i = _start; i < _end; i++)
            {
                var c = _buffer[i];
                switch (state)
                {
                    case SkipState.FieldStart:
                        state = c switch
                        {
                            '"' => SkipState.Quoted,
                            ',' => SkipState.FieldStart,
                            _ => SkipState.Unquoted,
                        };
                        break;
                    case SkipState.Unquoted:
                        state = c == ',' ? SkipState.FieldStart : SkipState.Unquoted;
                        break;
                    case SkipState.Quoted:
                        state = c == '"' ? SkipState.QuoteInQuoted : SkipState.Quoted;
                        break;
                    case SkipState.QuoteInQuoted:
                        state = c switch
                        {
                            '"' => SkipState.Quoted,
                            ',' => SkipState.FieldStart,
                            _ => SkipState.Unquoted,
                        };
                        break;
                }

                if (c == '\n' && state != SkipState.Quoted)
                {
                    _start = i + 1;
                    return;
                }
            }

            _start = _end;
            if (!Fill())
            {
                _eof = true;
                return;
            }
        }
    }

    /// <summary>
    /// Moves unread text to the front, grows the buffer up to the record limit, and reads at least
    /// <paramref name="minimum"/> characters (one read when that is 0) unless the input or the buffer ends.
    /// </summary>
    private bool Fill(int minimum = 0)
    {
        if (_eof)
        {
            return false;
        }

        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            // Only a record shorter than the limit gets here (Read checks first), so the buffer is below the
            // limit and grows; room for the limit plus CR LF is the most it ever takes.
            var grown = new char[(int)Math.Min(_buffer.Length * 2L, _maxRecordLength + 2L)];
            _buffer.AsSpan(0, _end).CopyTo(grown);
            _buffer = grown;
        }

        var added = 0;
        do
        {
            var read = _reader.Read(_buffer.AsSpan(_end));
            if (read == 0)
            {
                _eof = true;
                break;
            }

            _end += read;
            added += read;
        }
        while (added < minimum && _end < _buffer.Length);

        return added > 0;
    }

    /// <summary>Removes the quoting of a field in place: the record is complete, so it is never scanned again.</summary>
    private void Unquote(ref Field field)
    {
        var raw = _buffer.AsSpan(field.Start, field.Length);

        // Most quoted fields are just "text": drop the two quotes.
        if (raw.Length >= 2 && raw[^1] == '"' && !raw[1..^1].Contains('"'))
        {
            field = new Field(field.Start + 1, field.Length - 2, Quoted: false);
            return;
        }

        var written = 0;
        var inQuotes = true;
        for (var i = 1; i < raw.Length; i++)
        {
            var c = raw[i];
            if (inQuotes && c == '"')
            {
                if (i + 1 < raw.Length && raw[i + 1] == '"')
                {
                    raw[written++] = '"';
                    i++;
                }
                else
                {
                    inQuotes = false;
                }

                continue;
            }

            raw[written++] = c;
        }

        field = new Field(field.Start, written, Quoted: false);
    }

    private readonly record struct Field(int Start, int Length, bool Quoted);
}
