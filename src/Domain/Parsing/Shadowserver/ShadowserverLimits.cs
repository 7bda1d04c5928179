namespace AbuseDesk.Domain.Parsing.Shadowserver;

/// <summary>
/// Bounds on what one Shadowserver report may cost. Reports arrive from the internet; a crafted one must hit
/// a limit, never exhaust memory or run for ever. Tests lower them to exercise the limits cheaply.
/// </summary>
internal sealed record ShadowserverLimits
{
    public static ShadowserverLimits Default { get; } = new();

    /// <summary>Most bytes one zip entry may decompress to. The largest real daily reports are a few hundred MB.</summary>
    public long MaxEntryBytes { get; init; } = 4L << 30;

    /// <summary>Most decompressed bytes per compressed byte read. CSV compresses about 5-15:1; bombs reach 1000:1 and more.</summary>
    public int MaxCompressionRatio { get; init; } = 200;

    /// <summary>
    /// The ratio is measured against at least this many compressed bytes, so the first block of a small
    /// archive (the inflater reads ahead in chunks) cannot trip it.
    /// </summary>
    public long CompressionRatioFloorBytes { get; init; } = 64 * 1024;

    /// <summary>Longest CSV record (in characters) that is read; a longer one is skipped with a note.</summary>
    public int MaxRecordLength { get; init; } = 1 << 20;

    /// <summary>Most columns a header may have; real reports have up to about 100.</summary>
    public int MaxColumns { get; init; } = 2048;

    /// <summary>Most zip entries passed over while looking for the CSV.</summary>
    public int MaxZipEntriesSkipped { get; init; } = 1000;
}
