using System.Collections;
using MimeKit;

namespace AbuseDesk.Domain.Parsing.Shadowserver;

/// <summary>
/// The events of a mail's Shadowserver attachments, one attachment after another, each decoded and read as
/// it is reached. The first readable attachment is opened up front so that a mail whose reports are all
/// unreadable fails with the reasons; one unreadable attachment among others is skipped with a note.
/// </summary>
internal sealed class ShadowserverMailEvents : IEnumerable<ReportEvent>, IDisposable
{
    private readonly IReadOnlyList<MimePart> _attachments;
    private readonly ParseNotes _notes;
    private readonly ShadowserverLimits _limits;
    private int _next;
    private Stream? _currentContent;
    private ReportReading? _current;
    private bool _started;

    public ShadowserverMailEvents(IReadOnlyList<MimePart> attachments, ParseNotes notes, ShadowserverLimits limits)
    {
        _attachments = attachments;
        _notes = notes;
        _limits = limits;
    }

    /// <summary>Opens attachments until one can be read; returns why none could, or null.</summary>
    public string? OpenFirstReadable()
    {
        var errors = new List<string>();
        while (_next < _attachments.Count)
        {
            if (TryOpenNext(out var error))
            {
                return null;
            }

            errors.Add(error!);
        }

        return errors.Count == 0 ? "the mail has no Shadowserver report attachment" : string.Join("; ", errors);
    }

    public IEnumerator<ReportEvent> GetEnumerator()
    {
        if (_started)
        {
            throw new InvalidOperationException("A Shadowserver report streams from its source and can be enumerated once only.");
        }

        _started = true;
        return Enumerate();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose() => CloseCurrent();

    private IEnumerator<ReportEvent> Enumerate()
    {
        long rows = 0;
        long produced = 0;
        string? firstSkip = null;
        while (_current is not null)
        {
            foreach (var reportEvent in _current.Events)
            {
                produced++;
                yield return reportEvent;
            }

            if (_current.Events is ShadowserverEvents read)
            {
                rows += read.Rows;
                firstSkip ??= read.FirstSkip;
            }

            CloseCurrent();
            while (_next < _attachments.Count && !TryOpenNext(out _))
            {
                // The reason is already in the notes; go on with the next attachment.
            }
        }

        // One empty attachment among others is fine; a mail whose reports yield nothing is not.
        if (produced == 0)
        {
            throw new ReportRejectedException(ShadowserverEvents.NoEventsReason(rows, firstSkip));
        }
    }

    private bool TryOpenNext(out string? error)
    {
        var part = _attachments[_next++];
        var shownName = EvidenceExcerpt.Flatten(part.FileName, 100);
        var notePrefix = _attachments.Count > 1 ? $"attachment '{shownName}': " : string.Empty;
        var content = part.Content?.Open() ?? Stream.Null;
        ReportReading reading;
        try
        {
            reading = ShadowserverCsv.Read(
                content, new ReportInput("application/octet-stream", part.FileName), _notes, notePrefix, _limits, rejectWhenEmpty: false);
        }
        catch
        {
            content.Dispose();
            throw;
        }

        if (reading.Error is not null)
        {
            content.Dispose();
            error = $"attachment '{shownName}': {reading.Error}";
            if (_attachments.Count > 1)
            {
                _notes.Skip($"{error}; skipped");
            }

            return false;
        }

        _currentContent = content;
        _current = reading;
        error = null;
        return true;
    }

    private void CloseCurrent()
    {
        _current?.Dispose();
        _currentContent?.Dispose();
        _current = null;
        _currentContent = null;
    }
}
