using AbuseDesk.Domain.Cases;

namespace AbuseDesk.Domain.Tests.Cases;

/// <summary>What a case keeps of its events: rows up to the cap, packed within Table Storage's limits, and a sample.</summary>
public class CaseEvidenceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static EvidenceItem Item(int i, string? evidence = null, string? url = null) =>
        new($"r1-{i:D8}", "198.51.100.7", 22, url, "ssh-login-attack", "medium", T0.AddMinutes(i), evidence ?? $"line {i}", false);

    [Theory]
    [InlineData(0, 50, 1000, 50)]
    [InlineData(990, 50, 1000, 10)]
    [InlineData(1000, 50, 1000, 0)]
    [InlineData(1200, 50, 1000, 0)]
    [InlineData(0, 50, 0, 0)]
    public void Keep_stops_at_the_cap(int kept, int incoming, int cap, int expected) =>
        Assert.Equal(expected, CaseEvidence.Keep(kept, incoming, cap));

    [Fact]
    public void Packing_keeps_order_and_every_row_within_the_limits()
    {
        var items = Enumerable.Range(0, 1000).Select(i => Item(i, i % 7 == 0 ? new string('\u0001', 4096) : null)).ToList();
        var rows = CaseEvidence.Pack(items, int.MaxValue, out var packed);

        Assert.Equal(1000, packed);
        Assert.All(rows, r => Assert.InRange(r.Json.Length, 1, CaseEvidence.MaxRowChars));
        Assert.All(rows, r => Assert.InRange(r.Count, 1, CaseEvidence.MaxItemsPerRow));
        Assert.All(rows, r => Assert.True(r.Json.All(char.IsAscii), "stored JSON is ASCII: 2 bytes a character in the property"));
        var unpacked = rows.SelectMany(r => CaseEvidence.Unpack(r.Json)).ToList();
        Assert.Equal(items, unpacked);
        Assert.Equal(rows.Select(r => r.Count), rows.Select(r => CaseEvidence.Unpack(r.Json).Count));
    }

    [Fact]
    public void Packing_stops_at_the_row_limit_and_says_how_many_it_kept()
    {
        var items = Enumerable.Range(0, 100).Select(i => Item(i, new string('x', 4000))).ToList();
        var rows = CaseEvidence.Pack(items, 3, out var packed);

        Assert.Equal(3, rows.Count);
        Assert.Equal(rows.Sum(r => r.Count), packed);
        Assert.InRange(packed, 3, 99);
    }

    [Fact]
    public void An_event_too_big_for_a_row_on_its_own_is_cut_not_dropped()
    {
        var huge = Item(1, new string('\u0002', 4096), "http://x.test/" + new string('a', 20_000));
        var rows = CaseEvidence.Pack([huge], 10, out var packed);

        Assert.Equal(1, packed);
        var kept = Assert.Single(CaseEvidence.Unpack(Assert.Single(rows).Json));
        Assert.Equal(huge.EventId, kept.EventId);
        Assert.True(kept.Evidence!.Length <= 1000);
        Assert.True(kept.Url!.Length <= 2000);
    }

    [Fact]
    public void The_sample_is_the_most_recent_distinct_events_and_merging_again_changes_nothing()
    {
        var events = Enumerable.Range(0, 500).Select(i => Item(i)).Concat(
            Enumerable.Range(500, 10).Select(i => Item(i, "same"))).ToList();

        var sample = CaseEvidence.Sample([], events);
        Assert.Equal(["r1-00000509", "r1-00000499", "r1-00000498", "r1-00000497", "r1-00000496"], sample.Select(e => e.EventId));

        Assert.Equal(sample, CaseEvidence.Sample(sample, events));
        Assert.Equal(sample, CaseEvidence.Sample(sample, events.Take(100)));
        var newer = CaseEvidence.Sample(sample, [Item(600)]);
        Assert.Equal("r1-00000600", newer[0].EventId);
        Assert.Equal(CaseEvidence.SampleSize, newer.Count);
    }

    [Fact]
    public void The_sample_cuts_long_evidence()
    {
        var sample = CaseEvidence.Sample([], [Item(1, new string('y', 4096))]);
        Assert.Equal(CaseEvidence.MaxSampleEvidence, Assert.Single(sample).Evidence!.Length);
    }
}
