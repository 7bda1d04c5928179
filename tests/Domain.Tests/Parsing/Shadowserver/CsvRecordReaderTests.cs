using System.Text;
using AbuseDesk.Domain.Parsing.Shadowserver;

namespace AbuseDesk.Domain.Tests.Parsing.Shadowserver;

public class CsvRecordReaderTests
{
    [Theory]
    [InlineData("a,b,c\n", new[] { "a|b|c" })]
    [InlineData("a,b,c", new[] { "a|b|c" })]
    [InlineData("a,b\r\nc,d\r\n", new[] { "a|b", "c|d" })]
    [InlineData("\"a,1\",\"b\"\"2\",\"\"\n", new[] { "a,1|b\"2|" })]
    [InlineData("\"multi\nline\",x\n", new[] { "multi\nline|x" })]
    [InlineData("\"crlf\r\ninside\",x\r\n", new[] { "crlf\r\ninside|x" })]
    [InlineData("a,,c,\n", new[] { "a||c|" })]
    [InlineData("\n\na\n\r\n\nb\n", new[] { "a", "b" })]
    [InlineData("\"quoted\"tail,x\n", new[] { "quotedtail|x" })]
    [InlineData("un\"quoted,x\n", new[] { "un\"quoted|x" })]
    [InlineData("\"unterminated,x\ny", new[] { "unterminated,x\ny" })]
    [InlineData("a,\"\"\"\"\n", new[] { "a|\"" })]
    public void Records_are_split_as_rfc_4180_says(string csv, string[] expected)
    {
        Assert.Equal(expected, Records(csv, bufferChunk: int.MaxValue));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Records_split_across_reads_come_out_the_same(int chunk)
    {
        const string csv = "h1,h2,h3\r\n\"a,\"\"b\"\"\",c,\"d\r\ne\"\r\nf,,\"\"\r\n\"g\"";

        Assert.Equal(Records(csv, int.MaxValue), Records(csv, chunk));
    }

    [Fact]
    public void Random_csv_reads_back_the_rows_it_was_written_from()
    {
        var random = new Random(12345);
        for (var round = 0; round < 500; round++)
        {
            var rows = new List<string>();
            var text = new StringBuilder();
            var columns = random.Next(1, 6);
            for (var r = random.Next(1, 8); r > 0; r--)
            {
                var row = new string[columns];
                for (var c = 0; c < columns; c++)
                {
                    row[c] = RandomField(random);
                    if (c > 0)
                    {
                        text.Append(',');
                    }

                    // Quoted when it must be (and at random when it need not); an empty lone field is
                    // quoted so the row is not a blank line.
                    text.Append(row[c].AsSpan().IndexOfAny(",\"\r\n") >= 0 || (columns == 1 && row[c].Length == 0) || random.Next(4) == 0
                        ? "\"" + row[c].Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
                        : row[c]);
                }

                rows.Add(string.Join('|', row));
                text.Append(random.Next(2) == 0 ? "\n" : "\r\n");
            }

            var csv = text.ToString();
            var read = Records(csv, random.Next(1, 40));
            Assert.True(rows.SequenceEqual(read), $"round {round}: {Escape(csv)}\nwritten: {string.Join(" / ", rows.Select(Escape))}\nread:    {string.Join(" / ", read.Select(Escape))}");
        }
    }

    [Fact]
    public void Record_over_the_limit_is_passed_over_whole()
    {
        var csv = "a,b\n\"" + new string('x', 300) + "\n,still inside\",z\nc,d\n";
        var reader = new CsvRecordReader(new ChunkedReader(csv, 16), maxRecordLength: 64, maxFields: 10);

        Assert.Equal(CsvRecordKind.Record, reader.Read());
        Assert.Equal(CsvRecordKind.TooLong, reader.Read());
        Assert.Equal(CsvRecordKind.Record, reader.Read());
        Assert.Equal("c", reader[0].ToString());
        Assert.Equal(CsvRecordKind.End, reader.Read());
    }

    [Fact]
    public void Long_record_arriving_a_character_at_a_time_is_read_in_linear_time()
    {
        // Rescanning the partial record after every one-character read would take minutes.
        var field = new string('x', 300_000);
        var reader = new CsvRecordReader(new ChunkedReader($"a,\"{field}\",b\nc\n", 1), maxRecordLength: 1 << 20, maxFields: 10);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        Assert.Equal(CsvRecordKind.Record, reader.Read());
        Assert.Equal(field.Length, reader[1].Length);
        Assert.Equal(CsvRecordKind.Record, reader.Read());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Fields_past_the_limit_are_counted_but_not_kept()
    {
        var reader = new CsvRecordReader(new StringReader("a,b,c,d\n"), 1024, maxFields: 10) { FieldLimit = 2 };

        Assert.Equal(CsvRecordKind.Record, reader.Read());
        Assert.Equal(2, reader.FieldCount);
        Assert.Equal(4, reader.TotalFieldCount);
        Assert.True(reader[2].IsEmpty);
    }

    private static List<string> Records(string csv, int bufferChunk)
    {
        var reader = new CsvRecordReader(new ChunkedReader(csv, bufferChunk), 1 << 20, 64);
        var records = new List<string>();
        while (reader.Read() == CsvRecordKind.Record)
        {
            var fields = new string[reader.FieldCount];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = reader[i].ToString();
            }

            records.Add(string.Join('|', fields));
        }

        return records;
    }

    private static string RandomField(Random random)
    {
        const string alphabet = "ab ,\"\r\n;x1";
        var length = random.Next(0, 6);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    private static string Escape(string text) => text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Hands out text in small pieces so records straddle buffer refills.</summary>
    private sealed class ChunkedReader(string text, int chunk) : TextReader
    {
        private int _position;

        public override int Read(Span<char> buffer)
        {
            var length = Math.Min(Math.Min(chunk, buffer.Length), text.Length - _position);
            text.AsSpan(_position, length).CopyTo(buffer);
            _position += length;
            return length;
        }

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));
    }
}
