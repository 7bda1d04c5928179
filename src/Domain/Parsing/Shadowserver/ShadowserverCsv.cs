namespace AbuseDesk.Domain.Parsing.Shadowserver;

// PLACEHOLDER until the Shadowserver parser lands (issue 3).
internal static class ShadowserverCsv
{
    /// <summary>Streams a Shadowserver CSV (or a zip holding one) into events, one per data row.</summary>
    public static ReportReading Read(Stream content, ReportInput input) => ReportReading.Failed(ReportFormats.Unknown, ReportParser.UnrecognizedFormat);
}
