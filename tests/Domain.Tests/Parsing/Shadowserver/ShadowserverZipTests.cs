using System.IO.Compression;
using System.Text;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Domain.Parsing.Shadowserver;

namespace AbuseDesk.Domain.Tests.Parsing.Shadowserver;

public class ShadowserverZipTests
{
    private const string ScanCsv = "timestamp,ip,port\n2026-11-20 00:00:00,192.0.2.1,22\n2026-11-20 00:00:01,192.0.2.2,22\n";

    [Theory]
    [InlineData("application/zip")]
    [InlineData("text/csv")]
    [InlineData("application/x-zip-compressed")]
    public void Zipped_report_is_read_whatever_the_declared_type(string contentType)
    {
        var zip = Zip(("2026-11-20-scan_ssh-asn-example.csv", ScanCsv));

        using var stream = new MemoryStream(zip);
        var outcome = ReportParser.Parse(stream, new ReportInput(contentType, "2026-11-20-scan_ssh-asn-example.csv.zip"));

        Assert.False(outcome.Failed, outcome.Error);
        Assert.Equal(["192.0.2.1", "192.0.2.2"], outcome.Events.Select(e => e.Ip));
        Assert.All(outcome.Events, e => Assert.Equal("scan_ssh", e.ReportType));
    }

    [Fact]
    public void Entry_name_gives_the_type_only_when_the_outer_name_has_none()
    {
        var zip = Zip(("reports/2026-11-20-scan_rdp-asn-example.csv", ScanCsv));

        var fromEntry = ShadowserverSamples.Read(zip, "download.zip");
        var fromOuter = ShadowserverSamples.Read(zip, "2026-11-20-scan_vnc-asn-example.csv.zip");

        Assert.All(fromEntry.Events, e => Assert.Equal("scan_rdp", e.ReportType));
        Assert.All(fromOuter.Events, e => Assert.Equal("scan_vnc", e.ReportType));
    }

    [Fact]
    public void First_csv_entry_is_read_after_other_entries()
    {
        var zip = Zip(("README.txt", "not a report"), ("scan_ssh.csv", ScanCsv), ("scan_rdp.csv", "ip\n192.0.2.99\n"));

        var (events, _, error) = ShadowserverSamples.Read(zip);

        Assert.Null(error);
        Assert.Equal(["192.0.2.1", "192.0.2.2"], events.Select(e => e.Ip));
        Assert.All(events, e => Assert.Equal("scan_ssh", e.ReportType));
    }

    [Fact]
    public void Stored_entry_is_read()
    {
        var zip = Zip(CompressionLevel.NoCompression, ("scan_ssh.csv", ScanCsv));

        var (events, _, error) = ShadowserverSamples.Read(zip);

        Assert.Null(error);
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public void Zip_from_a_non_seekable_stream_is_streamed()
    {
        var zip = Zip(("scan_ssh.csv", ScanCsv));

        var (events, _, error) = ShadowserverSamples.Read(new TrickleStream(zip), "scan_ssh.csv.zip");

        Assert.Null(error);
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public void Zip_without_a_csv_entry_fails()
    {
        var zip = Zip(("notes.txt", "hello"));

        var (_, _, error) = ShadowserverSamples.Read(zip, "scan_ssh.zip");

        Assert.Equal("the zip holds no .csv entry", error);
    }

    [Fact]
    public void Empty_zip_fails()
    {
        var zip = Zip();

        var (_, _, error) = ShadowserverSamples.Read(zip, "scan_ssh.zip");

        Assert.Equal("the zip holds no .csv entry", error);
    }

    [Fact]
    public void Zip_bomb_is_rejected_by_its_compression_ratio_while_reading()
    {
        // 64 MB of rows padded with one repeated character compresses about 1000:1: far beyond any real report.
        var bomb = Zip(CompressionLevel.SmallestSize, ("scan_ssh.csv", BombContent(64 << 20)));
        Assert.True(bomb.Length < 1 << 20, $"the bomb is {bomb.Length} bytes compressed");

        using var stream = new MemoryStream(bomb);
        var outcome = ReportParser.Parse(stream, new ReportInput("application/zip", "2026-11-20-scan_ssh-asn.csv.zip"));

        Assert.True(outcome.Failed);
        Assert.Equal("shadowserver", outcome.Format);
        Assert.StartsWith("zip entry 'scan_ssh.csv' exceeds a compression ratio of 200:1", outcome.Error, StringComparison.Ordinal);
        Assert.EndsWith("possible zip bomb)", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Zip_bomb_found_part_way_surfaces_from_the_enumeration_after_earlier_rows()
    {
        var bomb = Zip(CompressionLevel.SmallestSize, ("scan_ssh.csv", BombContent(64 << 20)));

        using var stream = new MemoryStream(bomb);
        using var reading = ShadowserverCsv.Read(stream, new ReportInput("application/zip", "scan_ssh.csv.zip"));
        Assert.Null(reading.Error);

        var produced = 0;
        var failure = Record.Exception(() =>
        {
            foreach (var unused in reading.Events)
            {
                produced++;
            }
        });

        var rejected = Assert.IsType<ReportRejectedException>(failure);
        Assert.Contains("(possible zip bomb)", rejected.Message, StringComparison.Ordinal);
        Assert.True(produced > 0, "rows before the limit are read");
    }

    [Fact]
    public void Decompressed_size_cap_is_enforced_whatever_the_ratio()
    {
        var limits = ShadowserverLimits.Default with { MaxEntryBytes = 100_000 };
        var zip = Zip(("scan_ssh.csv", RandomRows(5_000)));

        using var stream = new MemoryStream(zip);
        using var reading = ShadowserverCsv.Read(stream, new ReportInput("application/zip", "scan_ssh.csv.zip"), new ParseNotes(), string.Empty, limits);

        var rejected = Assert.Throws<ReportRejectedException>(() => reading.Events.ToList());
        Assert.Equal("zip entry 'scan_ssh.csv' exceeds 100000 bytes decompressed (possible zip bomb)", rejected.Message);
    }

    [Fact]
    public void Declared_sizes_are_not_trusted()
    {
        // The header claims a tiny entry; the bomb is caught by what is actually decompressed.
        var bomb = Zip(CompressionLevel.SmallestSize, ("scan_ssh.csv", BombContent(64 << 20)));
        var lying = (byte[])bomb.Clone();
        BitConverter.TryWriteBytes(lying.AsSpan(22, 4), 100u); // local header: uncompressed size

        using var stream = new MemoryStream(lying);
        var outcome = ReportParser.Parse(stream, new ReportInput("application/zip", "scan_ssh.csv.zip"));

        Assert.True(outcome.Failed);
        Assert.Contains("possible zip bomb", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_zip_is_rejected_not_read_short()
    {
        var zip = Zip(("scan_ssh.csv", RandomRows(2_000)));
        var truncated = zip.AsSpan(0, zip.Length / 2).ToArray();

        using var stream = new MemoryStream(truncated);
        var outcome = ReportParser.Parse(stream, new ReportInput("application/zip", "scan_ssh.csv.zip"));

        Assert.True(outcome.Failed, "a truncated zip must not pass as a shorter report");
        Assert.Contains("zip entry 'scan_ssh.csv' is", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_deflate_data_is_rejected()
    {
        var zip = Zip(("scan_ssh.csv", RandomRows(2_000)));
        var corrupt = (byte[])zip.Clone();
        var dataStart = 30 + "scan_ssh.csv".Length;
        for (var i = dataStart + 10; i < dataStart + 400; i++)
        {
            corrupt[i] ^= 0x5A;
        }

        using var stream = new MemoryStream(corrupt);
        var outcome = ReportParser.Parse(stream, new ReportInput("application/zip", "scan_ssh.csv.zip"));

        Assert.True(outcome.Failed);
        Assert.StartsWith("zip entry 'scan_ssh.csv' is", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Encrypted_entry_is_refused()
    {
        var zip = Zip(("scan_ssh.csv", ScanCsv));
        zip[6] |= 0x01; // general purpose flag: encrypted

        var (_, _, error) = ShadowserverSamples.Read(zip);

        Assert.Equal("zip entry 'scan_ssh.csv' is encrypted", error);
    }

    internal static byte[] Zip(params (string Name, string Content)[] entries) => Zip(CompressionLevel.Optimal, entries);

    internal static byte[] Zip(CompressionLevel level, params (string Name, string Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var entry = archive.CreateEntry(name, level).Open();
                entry.Write(Encoding.UTF8.GetBytes(content));
            }
        }

        return buffer.ToArray();
    }

    private static string BombContent(int bytes)
    {
        var row = $"2026-11-20 00:00:00,192.0.2.1,22,{new string('A', 4000)}\n";
        var text = new StringBuilder("timestamp,ip,port,banner\n", bytes + row.Length);
        while (text.Length < bytes)
        {
            text.Append(row);
        }

        return text.ToString();
    }

    private static string RandomRows(int rows)
    {
        var random = new Random(7);
        var text = new StringBuilder("timestamp,ip,port,banner\n");
        for (var i = 0; i < rows; i++)
        {
            text.Append($"2026-11-20 00:00:00,192.0.2.{random.Next(1, 255)},{random.Next(1, 65535)},{random.NextInt64():x16}{random.NextInt64():x16}\n");
        }

        return text.ToString();
    }
}
