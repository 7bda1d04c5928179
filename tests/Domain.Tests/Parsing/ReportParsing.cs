using System.Text;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Parsing;

/// <summary>Runs <see cref="ReportParser"/> the way the app does: bytes plus a declared content type.</summary>
internal static class ReportParsing
{
    public const string Mail = "message/rfc822";
    public const string Json = "application/json";

    public static ParseOutcome Text(string text, string contentType) => Bytes(Encoding.UTF8.GetBytes(text), contentType);

    public static ParseOutcome Bytes(byte[] bytes, string contentType)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return ReportParser.Parse(stream, new ReportInput(contentType));
    }

    public static ParseOutcome File(string path, string contentType)
    {
        using var stream = System.IO.File.OpenRead(path);
        return ReportParser.Parse(stream, new ReportInput(contentType));
    }

    /// <summary>Reads a mail through <see cref="ReportParser.Open"/>, keeping the notes that <see cref="ReportParser.Parse"/> drops.</summary>
    public static (ParseOutcome Outcome, IReadOnlyList<string> Notes) WithNotes(string mail)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(mail), writable: false);
        using var reading = ReportParser.Open(stream, new ReportInput(Mail));
        var outcome = reading.Error is not null
            ? ParseOutcome.Failure(reading.Format, reading.Error)
            : ParseOutcome.Success(reading.Format, reading.Events.ToList());
        return (outcome, reading.Notes.Items);
    }

    public static ParseOutcome ArfSample(string fileName) => File(TestPaths.TestData("arf", fileName), Mail);
}
