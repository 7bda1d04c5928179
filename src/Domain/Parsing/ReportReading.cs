namespace AbuseDesk.Domain.Parsing;

/// <summary>
/// A report being read. Events are produced lazily, so a 1 GB feed is never held in memory: the caller
/// enumerates <see cref="Events"/> once and writes them in batches. A fatal problem found before any event
/// is <see cref="Error"/>; one found part-way (a decompression cap, a truncated archive) surfaces as a
/// <see cref="ReportRejectedException"/> from the enumeration. Non-fatal oddities (a skipped row, an unknown
/// feed type) are collected in <see cref="Notes"/> as they are met. A mail that is not a report at all (a bounce,
/// an auto-reply) is <see cref="IgnoredBecause"/>: no error, no events.
/// </summary>
public sealed class ReportReading : IDisposable
{
    private readonly IDisposable? _owned;

    public ReportReading(string format, IEnumerable<ReportEvent> events, ParseNotes? notes = null, IDisposable? owned = null)
    {
        Format = format;
        Events = events;
        Notes = notes ?? new ParseNotes();
        _owned = owned;
    }

    private ReportReading(string format, string? error, string? ignoredBecause)
        : this(format, [])
    {
        Error = error;
        IgnoredBecause = ignoredBecause;
    }

    public string Format { get; }

    public string? Error { get; }

    /// <summary>Why the input is not a report (a delivery-status notification, an automatic reply, ...); null for a report.</summary>
    public string? IgnoredBecause { get; }

    public IEnumerable<ReportEvent> Events { get; }

    public ParseNotes Notes { get; }

    /// <summary>
    /// The reader read the part of the mail it knows (an ARF feedback-report part), and the same mail may name
    /// more that another reader finds (a SpamCop layout in the human part, an XARF attachment). The mail reader
    /// then asks the structured formats after it and adds what they find that names another IP or URL.
    /// </summary>
    public bool Partial { get; init; }

    public static ReportReading Failed(string format, string error) => new(format, error, null);

    public static ReportReading Ignored(string reason) => new(ReportFormats.NotAReport, null, reason);

    public static ReportReading Of(ParseOutcome outcome) =>
        outcome.Failed ? Failed(outcome.Format, outcome.Error!)
        : outcome.IgnoredBecause is { } reason ? Ignored(reason)
        : new ReportReading(outcome.Format, outcome.Events);

    /// <summary>This reading with other events, notes and owned resources (the mail reader's merge and fallthrough).</summary>
    internal ReportReading With(IEnumerable<ReportEvent> events, IDisposable? owned) =>
        new(Format, events, Notes, owned) { Partial = Partial };

    public void Dispose() => _owned?.Dispose();
}

/// <summary>A fatal problem found while events were already being read.</summary>
public sealed class ReportRejectedException(string reason) : Exception(reason);

/// <summary>Non-fatal findings while reading a report, bounded so a hostile feed cannot grow them without end.</summary>
public sealed class ParseNotes
{
    public const int MaxNotes = 20;
    private readonly List<string> _notes = [];

    public IReadOnlyList<string> Items => _notes;

    /// <summary>Rows or parts skipped (a bad IP, a short row): counted even after the note list is full.</summary>
    public long Skipped { get; private set; }

    public void Add(string note)
    {
        if (_notes.Count < MaxNotes)
        {
            _notes.Add(note);
        }
    }

    public void Skip(string why)
    {
        Skipped++;
        Add(why);
    }

    public override string ToString() =>
        Skipped == 0 && _notes.Count == 0 ? "" : string.Join("; ", _notes) + (Skipped > 0 ? $" ({Skipped} skipped)" : "");
}
