using System.Collections;

namespace AbuseDesk.Functions.Telemetry;

/// <summary>
/// The ids a log line is about, as an ILogger scope. Structured (key/value pairs) so OpenTelemetry and Application
/// Insights get ReportId and CaseId as properties; readable (ToString) because the console prints scopes as text.
/// Only the ids that are known are present: a line about a report has no empty CaseId.
/// </summary>
public sealed class DeskLogScope : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly KeyValuePair<string, object?>[] _values;

    public DeskLogScope(string? reportId, string? caseId, IReadOnlyList<string>? caseIds = null)
    {
        var values = new List<KeyValuePair<string, object?>>(3);
        if (!string.IsNullOrEmpty(reportId))
        {
            values.Add(new("ReportId", reportId));
        }

        if (!string.IsNullOrEmpty(caseId))
        {
            values.Add(new("CaseId", caseId));
        }

        if (caseIds is { Count: > 0 })
        {
            values.Add(new("CaseIds", string.Join(',', caseIds)));
        }

        _values = [.. values];
    }

    public bool IsEmpty => _values.Length == 0;

    public int Count => _values.Length;

    public KeyValuePair<string, object?> this[int index] => _values[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join(' ', _values.Select(v => $"{v.Key}:{v.Value}"));
}
