using System.Text;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Domain.Parsing.Shadowserver;

namespace AbuseDesk.Domain.Tests.Parsing.Shadowserver;

/// <summary>Reads the Shadowserver samples in TestData/shadowserver the way the intake does.</summary>
internal static class ShadowserverSamples
{
    public const string Csv = "text/csv";

    public static string Path(string fileName) => TestPaths.TestData("shadowserver", fileName);

    /// <summary>Parses a sample through <see cref="ReportParser"/>, named as the intake would name it.</summary>
    public static ParseOutcome Parse(string sample, string? fileName = null, string? hint = null)
    {
        using var stream = File.OpenRead(Path(sample));
        return ReportParser.Parse(stream, new ReportInput(Csv, fileName ?? sample, hint));
    }

    /// <summary>Reads text completely, keeping the notes the outcome does not carry.</summary>
    public static (List<ReportEvent> Events, ParseNotes Notes, string? Error) Read(string text, string? fileName = null, string? hint = null, ShadowserverLimits? limits = null) =>
        Read(Encoding.UTF8.GetBytes(text), fileName, hint, limits);

    public static (List<ReportEvent> Events, ParseNotes Notes, string? Error) Read(byte[] content, string? fileName = null, string? hint = null, ShadowserverLimits? limits = null)
    {
        using var stream = new MemoryStream(content, writable: false);
        return Read(stream, fileName, hint, limits);
    }

    public static (List<ReportEvent> Events, ParseNotes Notes, string? Error) Read(Stream content, string? fileName = null, string? hint = null, ShadowserverLimits? limits = null)
    {
        using var reading = ShadowserverCsv.Read(content, new ReportInput(Csv, fileName, hint), new ParseNotes(), string.Empty, limits ?? ShadowserverLimits.Default);
        return (reading.Events.ToList(), reading.Notes, reading.Error);
    }

    public static (List<ReportEvent> Events, ParseNotes Notes, string? Error) ReadSample(string sample, string? fileName = null, string? hint = null) =>
        Read(File.ReadAllBytes(Path(sample)), fileName ?? sample, hint);
}
