using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AbuseDesk.Functions.Tests.Parsing;

/// <summary>A report that fails leaves nothing routed, however far into it the failure is found.</summary>
[Collection(DeskCollection.Name)]
public sealed class FailedReportTests(DeskApp app)
{
    [Fact]
    public async Task A_feed_found_corrupt_after_a_whole_chunk_of_events_routes_none_of_them()
    {
        // 30,000 rows about one customer, more than a chunk (25,000): a reader that stores as it goes would have
        // put a chunk on the customer's case before reaching the cut.
        var csv = new StringBuilder("timestamp,ip,port\n");
        for (var i = 0; i < 30_000; i++)
        {
            csv.Append(FormattableString.Invariant($"2026-12-07 00:{i / 600 % 60:00}:{i % 60:00},2001:db8:90::{i:x},22\n"));
        }

        var zip = Zip("2026-12-07-scan_ssh-asn-failed.csv", csv.ToString());
        var truncated = zip[..(int)(zip.Length * 0.9)];

        using var posted = await app.PostReportAsync(truncated, "text/csv");
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var reportId = JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();

        var report = await app.WaitForReportAsync(reportId);
        Assert.Equal("failed", report["status"]!.GetValue<string>());
        var error = report["error"]!.GetValue<string>();
        Assert.Contains("truncated or corrupt", error, StringComparison.Ordinal);
        // The cut lies past the first chunk: the reader got through more than 25,000 whole rows before failing.
        var read = long.Parse(System.Text.RegularExpressions.Regex.Match(error, @"(\d+) read").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(read > OffsetOfRow(csv.ToString(), 25_001), $"only {read} bytes read before the cut");
        Assert.Equal(0, report["eventCount"]!.GetValue<int>());
        Assert.Equal(0, report["routedCount"]!.GetValue<int>());
        Assert.Empty(report["events"]!.AsArray());
        Assert.Empty(await app.CasesAsync("cust-failed"));
    }

    [Fact]
    public async Task The_same_rows_whole_are_routed()
    {
        // The control: the rows themselves are fine, so the test above fails for the cut and nothing else.
        var csv = new StringBuilder("timestamp,ip,port\n");
        for (var i = 0; i < 3; i++)
        {
            csv.Append(FormattableString.Invariant($"2026-12-07 00:00:{i:00},2001:db8:92::{i:x},22\n"));
        }

        using var posted = await app.PostReportAsync(Zip("2026-12-07-scan_ssh-asn-whole.csv", csv.ToString()), "text/csv");
        var reportId = JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();

        var report = await app.WaitForReportAsync(reportId);
        Assert.Equal("parsed", report["status"]!.GetValue<string>());
        Assert.Equal(3, report["routedCount"]!.GetValue<int>());
    }

    private static int OffsetOfRow(string csv, int row)
    {
        var offset = 0;
        for (var i = 0; i < row; i++)
        {
            offset = csv.IndexOf('\n', offset) + 1;
        }

        return offset;
    }

    private static byte[] Zip(string name, string content)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = archive.CreateEntry(name, CompressionLevel.Optimal).Open();
            entry.Write(Encoding.UTF8.GetBytes(content));
        }

        return buffer.ToArray();
    }
}
