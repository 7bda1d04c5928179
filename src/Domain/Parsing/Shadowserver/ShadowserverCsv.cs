using System.Text;

namespace AbuseDesk.Domain.Parsing.Shadowserver;

/// <summary>
/// Reads a Shadowserver report: a CSV, or a zip holding one, into one event per data row, streaming. Only
/// the header is read before returning; rows become events as the caller enumerates, so a 1 GB report
/// costs a few buffers of memory.
/// </summary>
/// <remarks>
/// The report type decides the abuse class and severity (<see cref="ShadowserverReportTypes"/>). It comes
/// from the intake's hint, else from the file name, else (for a zip) from the CSV entry's name. A type that
/// cannot be found or is not in the table still yields events, of class Other, with a note.
/// </remarks>
internal static class ShadowserverCsv
{
    /// <summary>The <see cref="ReportReading.Format"/> of Shadowserver reports.</summary>
    public const string Format = "shadowserver";

    /// <summary>Report type of events whose report named no type.</summary>
    public const string UnknownType = "unknown";

    private const int ReadBufferBytes = 64 * 1024;

    /// <summary>Starts reading <paramref name="content"/>, which stays the caller's to dispose after the reading.</summary>
    public static ReportReading Read(Stream content, ReportInput input) =>
        Read(content, input, new ParseNotes(), string.Empty, ShadowserverLimits.Default, rejectWhenEmpty: true);

    /// <summary>
    /// As <see cref="Read(Stream, ReportInput)"/>, writing notes to <paramref name="notes"/> with
    /// <paramref name="notePrefix"/> (to tell a mail's attachments apart) and under the given limits. With
    /// <paramref name="rejectWhenEmpty"/> off, a report without events ends quietly: one attachment of a
    /// mail may be empty as long as the mail as a whole is not.
    /// </summary>
    internal static ReportReading Read(
        Stream content, ReportInput input, ParseNotes notes, string notePrefix, ShadowserverLimits limits, bool rejectWhenEmpty = true)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(input);

        var typeName = TypeFromHint(input.ReportTypeHint, notes, notePrefix) ?? ShadowserverReportName.TypeFromFileName(input.FileName);
        var peeked = PeekedStream.Open(content, 4);
        Stream csv = peeked;
        if (ZipCsvEntry.IsZip(peeked.Head))
        {
            var entry = ZipCsvEntry.Open(peeked, limits, out var zipError);
            if (entry is null)
            {
                return ReportReading.Failed(Format, zipError!);
            }

            // Only the entry's own name is left when the outer file was not named after its type.
            typeName ??= ShadowserverReportName.TypeFromFileName(entry.Name);
            csv = entry;
        }

        var known = Describe(typeName, notes, notePrefix);
        var text = new StreamReader(csv, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, ReadBufferBytes, leaveOpen: false);
        var records = new CsvRecordReader(text, limits.MaxRecordLength, limits.MaxColumns);
        try
        {
            var header = records.Read();
            if (header != CsvRecordKind.Record)
            {
                text.Dispose();
                return ReportReading.Failed(Format, header == CsvRecordKind.End
                    ? "the report is empty: no header row"
                    : $"the header row is longer than {limits.MaxRecordLength} characters");
            }

            if (records.TotalFieldCount > limits.MaxColumns)
            {
                text.Dispose();
                return ReportReading.Failed(Format, $"the header has more than {limits.MaxColumns} columns");
            }

            var columns = ShadowserverColumns.Find(records, known, out var error);
            if (columns is null)
            {
                text.Dispose();
                return ReportReading.Failed(Format, error!);
            }

            var events = new ShadowserverEvents(records, columns, typeName ?? UnknownType, known, notes, notePrefix, limits, rejectWhenEmpty, text);
            return new ReportReading(Format, events, notes, events);
        }
        catch (ReportRejectedException ex)
        {
            // A zip limit reached while reading the header: the report, not the reader, is at fault.
            text.Dispose();
            return ReportReading.Failed(Format, ex.Message);
        }
        catch
        {
            text.Dispose();
            throw;
        }
    }

    private static string? TypeFromHint(string? hint, ParseNotes notes, string notePrefix)
    {
        if (string.IsNullOrWhiteSpace(hint))
        {
            return null;
        }

        var type = ShadowserverReportName.NormalizeType(hint);
        if (type is null)
        {
            notes.Add($"{notePrefix}report type hint '{EvidenceExcerpt.Flatten(hint, 64)}' is not a report type name; ignored");
        }

        return type;
    }

    private static ShadowserverReportType? Describe(string? typeName, ParseNotes notes, string notePrefix)
    {
        if (typeName is null)
        {
            notes.Add($"{notePrefix}no Shadowserver report type: no type hint, and no report name in the file name");
            return null;
        }

        if (ShadowserverReportTypes.TryGet(typeName, out var known))
        {
            return known;
        }

        notes.Add($"{notePrefix}unknown Shadowserver report type '{typeName}'");
        return null;
    }
}
