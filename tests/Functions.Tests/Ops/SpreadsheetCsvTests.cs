using AbuseDesk.Functions.Ops;

namespace AbuseDesk.Functions.Tests.Ops;

/// <summary>Pure tests of the export's CSV cells: no app needed.</summary>
public sealed class SpreadsheetCsvTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://evil.test\",\"x\")", "\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\"")]
    [InlineData("+1+1", "\"'+1+1\"")]
    [InlineData("-2+3", "\"'-2+3\"")]
    [InlineData("@SUM(A1)", "\"'@SUM(A1)\"")]
    [InlineData("\tcmd", "\"'\tcmd\"")]
    [InlineData("\rcmd", "\"'\rcmd\"")]
    [InlineData("  =1+1", "\"'  =1+1\"")]
    public void Cells_a_spreadsheet_would_run_as_formulas_get_a_leading_quote(string value, string expected) =>
        Assert.Equal(expected, SpreadsheetCsv.Cell(value));

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("a=b", "\"a=b\"")]
    [InlineData("", "\"\"")]
    [InlineData(null, "\"\"")]
    [InlineData("it's", "\"it's\"")]
    public void Ordinary_text_is_only_quoted(string? value, string expected) =>
        Assert.Equal(expected, SpreadsheetCsv.Cell(value));

    [Fact]
    public void Commas_quotes_and_line_breaks_stay_inside_their_cell()
    {
        var row = SpreadsheetCsv.Row(["a,b", "say \"hi\"", "line1\nline2", "x"]);
        Assert.Equal("\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\",\"x\"\r\n", row);
        Assert.Equal(["a,b", "say \"hi\"", "line1\nline2", "x"], ParseRow(row));
    }

    [Fact]
    public void A_table_has_the_header_first_and_one_row_per_entry()
    {
        var table = SpreadsheetCsv.Table(["at", "what"], [["2026-01-01T00:00:00Z", "notified"], ["2026-01-02T00:00:00Z", "=cmd"]]);
        var lines = table.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("\"at\",\"what\"", lines[0]);
        Assert.Equal("'=cmd", ParseRow(lines[2])[1]);
    }

    /// <summary>An independent RFC 4180 reader, so the round trip checks the writer rather than itself.</summary>
    internal static List<string> ParseRow(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                cell.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else if (!quoted && c is '\r' or '\n')
            {
                break;
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }
}
