using AbuseDesk.Domain.Parsing;
using AbuseDesk.Domain.Parsing.Shadowserver;

namespace AbuseDesk.Domain.Tests.Parsing.Shadowserver;

/// <summary>Measures the whole process's heap, so it runs alone: other tests' buffers would count too.</summary>
[Collection(ShadowserverMemoryCollection.Name)]
public class ShadowserverMemoryTests
{
    [Fact]
    public void Large_report_streams_in_bounded_memory()
    {
        // About 100 MB of rows, generated as they are read; kept as events they would take over 400 MB.
        const int rows = 400_000;
        var source = new GeneratedCsvStream(rows);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);

        using var reading = ShadowserverCsv.Read(source, new ReportInput("text/csv", "scan_ssh.csv"));
        long count = 0;
        long maxLive = 0;
        foreach (var reportEvent in reading.Events)
        {
            count++;
            if (count % 100_000 == 0)
            {
                maxLive = Math.Max(maxLive, GC.GetTotalMemory(forceFullCollection: true));
            }
        }

        Assert.Equal(rows, count);
        Assert.True(source.BytesServed > 90_000_000, $"only {source.BytesServed} bytes generated");

        // Measured against what the test process already holds; the reading's own buffers are well under 1 MB.
        var growth = maxLive - baseline;
        Assert.True(growth < 16L << 20, $"live heap grew by {growth >> 20} MB while reading");
    }
}
