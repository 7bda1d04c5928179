namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Collects the events of one reporter mail: drops exact repeats (a notice that quotes its XML in the
/// body and attaches it too describes one infringement, not two) and stops at a bound.
/// </summary>
internal sealed class ReporterEvents
{
    /// <summary>More events than any real reporter mail carries; a bound so a crafted one cannot flood the desk.</summary>
    public const int MaxEvents = 5000;

    private readonly List<ReportEvent> _events = [];
    private readonly HashSet<ReportEvent> _seen = [];
    private bool _capped;

    public ParseNotes Notes { get; } = new();

    public int Count => _events.Count;

    public void Add(ReportEvent reportEvent)
    {
        if (_events.Count >= MaxEvents)
        {
            if (!_capped)
            {
                _capped = true;
                Notes.Add($"more than {MaxEvents} events in one mail; the rest were not read");
            }

            return;
        }

        if (_seen.Add(reportEvent))
        {
            _events.Add(reportEvent);
        }
    }

    /// <summary>The events read, or a failure saying why there are none.</summary>
    public ReportReading ToReading(string format, string whyNone) =>
        _events.Count == 0 ? ReportReading.Failed(format, whyNone) : new ReportReading(format, _events, Notes);
}
