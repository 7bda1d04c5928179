using System.Collections;
using System.Globalization;

namespace AbuseDesk.Domain.Parsing.Shadowserver;

/// <summary>
/// The events of one Shadowserver CSV, made row by row as they are enumerated: the report is never held in
/// memory, so it can be enumerated once only. A row without a usable address (or reported URL) is skipped
/// with a note; nothing in a row is fatal. A report that yields no event at all is rejected at its end with
/// the reason, so an empty or unusable report is never taken for a clean one.
/// </summary>
internal sealed class ShadowserverEvents : IEnumerable<ReportEvent>, IDisposable
{
    private const int MaxCellInNote = 64;
    private const int MaxUrlLength = 4096;

    private readonly CsvRecordReader _records;
    private readonly ShadowserverColumns _columns;
    private readonly string _reportType;
    private readonly AbuseClass _abuseClass;
    private readonly Severity _severity;
    private readonly ParseNotes _notes;
    private readonly string _notePrefix;
    private readonly IDisposable _owned;
    private readonly int _maxRecordLength;
    private readonly bool _rejectWhenEmpty;
    private readonly EvidenceLine _evidence = new();
    private bool _started;

    public ShadowserverEvents(
        CsvRecordReader records,
        ShadowserverColumns columns,
        string reportType,
        ShadowserverReportType? known,
        ParseNotes notes,
        string notePrefix,
        ShadowserverLimits limits,
        bool rejectWhenEmpty,
        IDisposable owned)
    {
        _records = records;
        _columns = columns;
        _reportType = reportType;
        // An unknown report keeps the events' default severity, so a person looks at what it is.
        _abuseClass = known?.AbuseClass ?? AbuseClass.Other;
        _severity = known?.Severity ?? Severity.Medium;
        _notes = notes;
        _notePrefix = notePrefix;
        _owned = owned;
        _maxRecordLength = limits.MaxRecordLength;
        _rejectWhenEmpty = rejectWhenEmpty;

        // Fields past the header have no name and are never looked at.
        records.FieldLimit = columns.Count;
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

    /// <summary>Data rows read so far.</summary>
    public long Rows { get; private set; }

    /// <summary>Events produced so far.</summary>
    public long Produced { get; private set; }

    /// <summary>Why the first skipped row was skipped, to explain a report that yields nothing.</summary>
    public string? FirstSkip { get; private set; }

    /// <summary>The reason a report (or a mail's reports) that produced no event is rejected.</summary>
    public static string NoEventsReason(long rows, string? firstSkip) => rows == 0
        ? "the report has a header but no data rows"
        : $"none of the report's {rows} rows has a usable IP address or URL (first: {firstSkip})";

    public void Dispose() => _owned.Dispose();

    private IEnumerator<ReportEvent> Enumerate()
    {
        while (true)
        {
            var kind = _records.Read();
            if (kind == CsvRecordKind.End)
            {
                if (_rejectWhenEmpty && Produced == 0)
                {
                    throw new ReportRejectedException(NoEventsReason(Rows, FirstSkip));
                }

                yield break;
            }

            var row = ++Rows;
            if (kind == CsvRecordKind.TooLong)
            {
                Skip($"row {row}: longer than the {_maxRecordLength}-character limit, skipped");
                continue;
            }

            if (ToEvent(row) is { } reportEvent)
            {
                Produced++;
                yield return reportEvent;
            }
        }
    }

    private void Skip(string why)
    {
        var note = _notePrefix + why;
        FirstSkip ??= note;
        _notes.Skip(note);
    }

    private ReportEvent? ToEvent(long row)
    {
        string? ip = null;
        var addressCell = _columns.Address >= 0 ? _records[_columns.Address].Trim() : default;
        var badAddress = !addressCell.IsEmpty && !ReportedAddress.TryNormalize(addressCell, out ip);
        if (badAddress)
        {
            var shown = EvidenceExcerpt.Flatten(addressCell.ToString(), MaxCellInNote);
            var url = ReportedUrl();
            if (url is null)
            {
                Skip($"row {row}: '{shown}' is not an IP address, skipped");
                return null;
            }

            _notes.Add($"{_notePrefix}row {row}: '{shown}' is not an IP address; kept for its URL");
            return Event(null, url, row);
        }

        var reportedUrl = ReportedUrl();
        if (ip is null && reportedUrl is null)
        {
            Skip(_columns.Url >= 0 ? $"row {row}: no IP address or URL, skipped" : $"row {row}: no IP address, skipped");
            return null;
        }

        return Event(ip, reportedUrl, row);
    }

    private ReportEvent Event(string? ip, string? url, long row) => new()
    {
        Ip = ip,
        Port = ip is null ? null : Port(),
        Url = url,
        AbuseClass = _abuseClass,
        ReportType = _reportType,
        OccurredAt = OccurredAt(row),
        Evidence = _evidence.Build(_records, _columns.EvidencePrefixes),
        Severity = _severity,
    };

    private int? Port()
    {
        if (_columns.Port < 0)
        {
            return null;
        }

        var cell = _records[_columns.Port].Trim();
        return int.TryParse(cell, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535 ? port : null;
    }

    private DateTimeOffset? OccurredAt(long row)
    {
        if (_columns.Timestamp < 0)
        {
            return null;
        }

        var cell = _records[_columns.Timestamp];
        if (ShadowserverTimestamp.TryParse(cell, out var time))
        {
            return time;
        }

        if (!cell.IsWhiteSpace())
        {
            _notes.Add($"{_notePrefix}row {row}: unreadable timestamp '{EvidenceExcerpt.Flatten(cell.ToString(), MaxCellInNote)}'");
        }

        return null;
    }

    /// <summary>
    /// The reported URL: the <c>url</c> cell when it is absolute, or a path in it on the row's host
    /// (compromised sites list <c>http_host</c> and a path). Only absolute http(s) and ftp URLs without
    /// spaces count; anything else stays evidence.
    /// </summary>
    private string? ReportedUrl()
    {
        if (_columns.Url < 0)
        {
            return null;
        }

        var cell = _records[_columns.Url].Trim();
        if (cell.IsEmpty || cell.Length > MaxUrlLength)
        {
            return null;
        }

        string candidate;
        if (cell.Contains("://", StringComparison.Ordinal))
        {
            candidate = cell.ToString();
        }
        else if (cell[0] == '/' && _columns.UrlHost >= 0 && _records[_columns.UrlHost].Trim() is { IsEmpty: false } host)
        {
            var scheme = _columns.Application >= 0 && _records[_columns.Application].Trim().Equals("https", StringComparison.OrdinalIgnoreCase)
                ? "https"
                : "http";
            candidate = string.Concat(scheme, "://", host, cell);
        }
        else
        {
            return null;
        }

        return candidate.AsSpan().ContainsAnyInRange('\0', ' ')
            || !Uri.TryCreate(candidate, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https" or "ftp")
            ? null
            : candidate;
    }
}
