using System.IO.Compression;
using System.Net;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Domain.Parsing.Shadowserver;
using MimeKit;
using Sylvan.Data.Csv;
using Xunit.Abstractions;

namespace AbuseDesk.Domain.Tests.Parsing.Shadowserver;

/// <summary>
/// Parses every Shadowserver report of the external corpus (../shared/corpus, never copied into the repo)
/// and checks one event per data row carrying that row's address. The expectation is read here,
/// independently of the parser: Sylvan reads the CSV, and the address is the row's <c>ip</c> column, else
/// <c>src_ip</c>, else the column stated below for the few reports that name it otherwise.
/// </summary>
public class ShadowserverCorpusConformanceTests(ITestOutputHelper output)
{
    /// <summary>Reports whose reported address is in neither ip nor src_ip, decided by reading the files.</summary>
    private static readonly Dictionary<string, string> StatedAddressColumns = new(StringComparer.Ordinal)
    {
        // The site that links to a sinkholed domain is the reported party; dst_ip is the sinkhole.
        ["event4_sinkhole_http_referer.csv"] = "http_referer_ip",

        // DNS lookups made by malware samples: the only network address is the answer.
        ["sandbox_dns.csv"] = "response",
    };

    [Fact]
    public void Every_shadowserver_csv_yields_one_event_per_row_with_the_rows_address()
    {
        var directory = Corpus("shadowserver");
        var report = new ConformanceReport();

        foreach (var path in Directory.GetFiles(directory, "*.csv").Order(StringComparer.Ordinal))
        {
            var fileName = Path.GetFileName(path);
            var type = Path.GetFileNameWithoutExtension(path);
            report.Files++;
            if (!ShadowserverReportTypes.TryGet(type, out var known))
            {
                report.UnknownTypes++;
                report.Misses.Add($"{fileName}: '{type}' is not in the report type table");
            }

            var expected = ExpectedAddresses(File.ReadAllText(path), StatedAddressColumns.GetValueOrDefault(fileName), out var rows);
            ParseOutcome outcome;
            using (var stream = File.OpenRead(path))
            {
                outcome = ReportParser.Parse(stream, new ReportInput("text/csv", fileName));
            }

            report.Add(fileName, rows, expected, outcome, type, known);
        }

        output.WriteLine($"shadowserver corpus: {report.Summary}");
        Assert.True(report.Files > 0, $"no .csv files in {directory}");
        Assert.True(report.Misses.Count == 0, string.Join(Environment.NewLine, report.Misses));
    }

    [Fact]
    public void Every_shadowserver_mail_yields_the_rows_of_its_zipped_report()
    {
        var directory = Corpus("mail");
        var report = new ConformanceReport();

        foreach (var path in Directory.GetFiles(directory, "shadowserver--*.eml").Order(StringComparer.Ordinal))
        {
            var fileName = Path.GetFileName(path);
            report.Files++;

            var (attachmentName, csv) = ZippedCsvAttachment(path);
            var type = ShadowserverReportName.TypeFromFileName(attachmentName) ?? "(none)";
            if (!ShadowserverReportTypes.TryGet(type, out var known))
            {
                report.UnknownTypes++;
                report.Misses.Add($"{fileName}: '{type}' is not in the report type table");
            }

            var expected = ExpectedAddresses(csv, statedColumn: null, out var rows);
            ParseOutcome outcome;
            using (var stream = File.OpenRead(path))
            {
                outcome = ReportParser.Parse(stream, new ReportInput("message/rfc822"));
            }

            report.Add(fileName, rows, expected, outcome, type, known);
        }

        output.WriteLine($"shadowserver mails: {report.Summary}");
        Assert.True(report.Files > 0, $"no shadowserver--*.eml files in {directory}");
        Assert.True(report.Misses.Count == 0, string.Join(Environment.NewLine, report.Misses));
    }

    private static string Corpus(string folder) =>
        TestPaths.Corpus(folder)
        ?? throw new Xunit.Sdk.XunitException(
            $"conformance corpus '{folder}' not found: looked for ../shared/corpus/{folder} beside every parent of {AppContext.BaseDirectory}");

    /// <summary>
    /// The address each data row states, in order; rows whose cell is not a single address (a network such
    /// as 198.51.100.0/24, or nothing) expect no event.
    /// </summary>
    private static List<string?> ExpectedAddresses(string csv, string? statedColumn, out int rows)
    {
        using var data = CsvDataReader.Create(new StringReader(csv), new CsvDataReaderOptions { Delimiter = ',', CsvStyle = CsvStyle.Lax });
        var column = statedColumn is not null ? data.GetOrdinal(statedColumn)
            : Ordinal(data, "ip") is var ip and >= 0 ? ip
            : data.GetOrdinal("src_ip");

        var addresses = new List<string?>();
        rows = 0;
        while (data.Read())
        {
            rows++;
            var cell = column < data.RowFieldCount ? data.GetString(column).Trim() : string.Empty;
            addresses.Add(IPAddress.TryParse(cell, out _) && !cell.Contains('/', StringComparison.Ordinal) ? cell : null);
        }

        return addresses;
    }

    private static int Ordinal(CsvDataReader data, string name)
    {
        for (var i = 0; i < data.FieldCount; i++)
        {
            if (data.GetName(i) == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The mail's zip attachment and the text of the first CSV inside it.</summary>
    private static (string AttachmentName, string Csv) ZippedCsvAttachment(string path)
    {
        using var message = MimeMessage.Load(path);
        var attachment = message.Attachments.OfType<MimePart>().Single(part => part.FileName?.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) == true);
        using var zipped = new MemoryStream();
        attachment.Content!.DecodeTo(zipped);
        zipped.Position = 0;

        using var archive = new ZipArchive(zipped, ZipArchiveMode.Read);
        var entry = archive.Entries.First(e => e.Name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase));
        using var reader = new StreamReader(entry.Open());
        return (attachment.FileName!, reader.ReadToEnd());
    }

    private static bool SameIp(string? actual, string expected) =>
        actual is not null
        && IPAddress.TryParse(actual, out var a)
        && IPAddress.TryParse(expected, out var e)
        && (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(e.IsIPv4MappedToIPv6 ? e.MapToIPv4() : e);

    private sealed class ConformanceReport
    {
        public int Files { get; set; }

        public int Rows { get; private set; }

        public int Events { get; private set; }

        public int Matched { get; private set; }

        public int RowsWithoutAddress { get; private set; }

        public int UnknownTypes { get; set; }

        public List<string> Misses { get; } = [];

        public string Summary =>
            $"{Files} files, {Rows} rows, {Events} events, {Matched} IPs matched, {UnknownTypes} unknown types"
            + (RowsWithoutAddress > 0 ? $" ({RowsWithoutAddress} rows state no single address and expect no event)" : string.Empty);

        public void Add(string fileName, int rows, List<string?> expected, ParseOutcome outcome, string type, ShadowserverReportType? known)
        {
            Rows += rows;
            RowsWithoutAddress += expected.Count(address => address is null);
            if (outcome.Failed)
            {
                Misses.Add($"{fileName}: failed: {outcome.Error}");
                return;
            }

            Events += outcome.Events.Count;
            var expectedAddresses = expected.Where(address => address is not null).Select(address => address!).ToList();
            if (outcome.Events.Count != expectedAddresses.Count)
            {
                Misses.Add($"{fileName}: {rows} rows, {expectedAddresses.Count} with an address, but {outcome.Events.Count} events");
            }

            for (var i = 0; i < Math.Min(outcome.Events.Count, expectedAddresses.Count); i++)
            {
                var reportEvent = outcome.Events[i];
                if (SameIp(reportEvent.Ip, expectedAddresses[i]))
                {
                    Matched++;
                }
                else
                {
                    Misses.Add($"{fileName}: event {i + 1} has IP {reportEvent.Ip ?? "(none)"}, the row states {expectedAddresses[i]}");
                }

                if (reportEvent.ReportType != type || reportEvent.AbuseClass != (known?.AbuseClass ?? AbuseClass.Other))
                {
                    Misses.Add($"{fileName}: event {i + 1} is {reportEvent.ReportType}/{reportEvent.AbuseClass}, expected {type}/{known?.AbuseClass}");
                }
            }
        }
    }
}
