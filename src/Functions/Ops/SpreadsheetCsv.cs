using System.Text;

namespace AbuseDesk.Functions.Ops;

/// <summary>
/// CSV for people who open it in a spreadsheet. Case histories carry text that customers and reporters wrote, so a
/// cell such as <c>=HYPERLINK(...)</c> would run as a formula: following OWASP's CSV-injection advice, a cell that
/// starts with <c>= + - @</c>, tab or CR (also after leading spaces) gets a leading single quote. Every cell is
/// quoted (RFC 4180, quotes doubled), so commas, quotes and line breaks in the text never shift columns.
/// </summary>
public static class SpreadsheetCsv
{
    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];

    public static string Cell(string? value)
    {
        var text = value ?? "";
        var trimmed = text.TrimStart(' ');
        if (text.Length > 0 && (Array.IndexOf(FormulaStarts, text[0]) >= 0 || (trimmed.Length > 0 && Array.IndexOf(FormulaStarts, trimmed[0]) >= 0)))
        {
            text = "'" + text;
        }

        return "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    public static string Row(IEnumerable<string?> cells) => string.Join(',', cells.Select(Cell)) + "\r\n";

    public static string Table(IReadOnlyList<string> header, IEnumerable<IEnumerable<string?>> rows)
    {
        var csv = new StringBuilder(Row(header));
        foreach (var row in rows)
        {
            csv.Append(Row(row));
        }

        return csv.ToString();
    }
}
