using System.Text.Json;
using System.Text.Json.Serialization;

namespace AbuseDesk.Domain.Cases;

/// <summary>One event as its case keeps it: what the customer and ops are shown as evidence.</summary>
public sealed record EvidenceItem(
    string EventId,
    string? Ip,
    int? Port,
    string? Url,
    string ReportType,
    string Severity,
    DateTimeOffset? OccurredAt,
    string? Evidence,
    bool LowConfidence)
{
    /// <summary>"{reportId}-{index:D8}": the same id the events table and the report view give the event.</summary>
    public static EvidenceItem From(string reportId, RoutedEvent routed) => new(
        $"{reportId}-{routed.Index:D8}",
        routed.Event.Ip,
        routed.Event.Port,
        routed.Event.Url,
        routed.Event.ReportType,
        routed.Event.Severity.ToString().ToLowerInvariant(),
        routed.Event.OccurredAt,
        Parsing.ReportEvent.BoundEvidence(routed.Event.Evidence),
        routed.Event.LowConfidence);
}

/// <summary>Events packed for one evidence row: their JSON array and how many they are.</summary>
public sealed record EvidencePack(string Json, int Count);

/// <summary>
/// What a case keeps of its events. A case stores its first <c>cap</c> events as readable rows in its own
/// partition, packed several to a row; beyond that it only counts (total, first and last seen) and keeps a small
/// sample of the most recent distinct events. One report of 200,000 lines thus costs a case a bounded number of
/// rows, and a page of evidence is one short key-range read.
/// </summary>
public static class CaseEvidence
{
    /// <summary>Distinct recent events kept on the case row.</summary>
    public const int SampleSize = 5;

    /// <summary>A sample's evidence text is cut to this: the case row stays small (an entity is at most 1 MB).</summary>
    public const int MaxSampleEvidence = 1000;

    /// <summary>Events per evidence row at most.</summary>
    public const int MaxItemsPerRow = 100;

    /// <summary>
    /// A row's serialized events at most: a string property holds 64 KiB of UTF-16, and the JSON is ASCII (the
    /// serializer escapes the rest), so 30,000 characters leave room.
    /// </summary>
    public const int MaxRowChars = 30_000;

    /// <summary>
    /// Evidence rows one attachment may add: they go in the case row's transaction (at most 100 entities and
    /// 4 MB; 40 rows of at most 30,000 ASCII characters, twice that escaped on the wire, stay far below).
    /// </summary>
    public const int MaxRowsPerAttach = 40;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>How many of <paramref name="incoming"/> events a case holding <paramref name="kept"/> rows-worth keeps under <paramref name="cap"/>.</summary>
    public static int Keep(int kept, int incoming, int cap) => Math.Clamp(cap - kept, 0, incoming);

    /// <summary>
    /// Packs events into rows (in order) of at most <see cref="MaxItemsPerRow"/> events and <see cref="MaxRowChars"/>
    /// characters, and at most <paramref name="maxRows"/> rows: what does not fit is counted, not kept.
    /// </summary>
    public static IReadOnlyList<EvidencePack> Pack(IEnumerable<EvidenceItem> items, int maxRows, out int packed)
    {
        var rows = new List<EvidencePack>();
        var row = new List<string>();
        var chars = 2;
        packed = 0;
        foreach (var item in items)
        {
            var json = Fit(item);
            if (row.Count > 0 && (row.Count == MaxItemsPerRow || chars + json.Length + 1 > MaxRowChars))
            {
                rows.Add(new EvidencePack("[" + string.Join(',', row) + "]", row.Count));
                row.Clear();
                chars = 2;
            }

            if (rows.Count == maxRows)
            {
                return rows;
            }

            row.Add(json);
            chars += json.Length + 1;
            packed++;
        }

        if (row.Count > 0)
        {
            rows.Add(new EvidencePack("[" + string.Join(',', row) + "]", row.Count));
        }

        return rows;
    }

    /// <summary>The events of one packed row, in the order they were packed.</summary>
    public static IReadOnlyList<EvidenceItem> Unpack(string? row) =>
        string.IsNullOrEmpty(row) ? [] : JsonSerializer.Deserialize<List<EvidenceItem>>(row, Options) ?? [];

    public static string Serialize(IReadOnlyList<EvidenceItem> items) => JsonSerializer.Serialize(items, Options);

    /// <summary>
    /// The case's sample after more events: the <see cref="SampleSize"/> most recent distinct events (the same report
    /// type, URL and evidence text from several addresses count once) of the old sample and the new events. Merging the same
    /// events twice changes nothing.
    /// </summary>
    public static IReadOnlyList<EvidenceItem> Sample(IReadOnlyList<EvidenceItem> current, IEnumerable<EvidenceItem> incoming)
    {
        // Only the most recent few of the new events can make the sample: keep a bounded candidate list in one pass.
        var candidates = new List<EvidenceItem>(current);
        foreach (var item in incoming)
        {
            candidates.Add(item);
            if (candidates.Count >= 8 * SampleSize)
            {
                candidates = Newest(candidates, 2 * SampleSize);
            }
        }

        return Newest(candidates, SampleSize).Select(Shorten).ToList();
    }

    private static List<EvidenceItem> Newest(List<EvidenceItem> items, int count) =>
        items
            .OrderByDescending(i => i.OccurredAt ?? DateTimeOffset.MinValue)
            .ThenByDescending(i => i.EventId, StringComparer.Ordinal)
            .DistinctBy(i => (i.ReportType, i.Url, Shorten(i).Evidence))
            .Take(count)
            .ToList();

    private static EvidenceItem Shorten(EvidenceItem item) =>
        item.Evidence is { Length: > MaxSampleEvidence } text ? item with { Evidence = string.Concat(text.AsSpan(0, MaxSampleEvidence - 1), "…") } : item;

    /// <summary>One event's JSON, cut down when it alone would not fit a row (a huge URL, evidence escaped six-fold).</summary>
    private static string Fit(EvidenceItem item)
    {
        var json = JsonSerializer.Serialize(item, Options);
        if (json.Length <= MaxRowChars - 2)
        {
            return json;
        }

        var cut = item with
        {
            Evidence = item.Evidence is { Length: > 1000 } e ? string.Concat(e.AsSpan(0, 999), "…") : item.Evidence,
            Url = item.Url is { Length: > 2000 } u ? string.Concat(u.AsSpan(0, 1999), "…") : item.Url,
        };
        return JsonSerializer.Serialize(cut, Options);
    }
}
