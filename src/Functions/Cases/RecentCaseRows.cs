using System.Collections.Concurrent;

namespace AbuseDesk.Functions.Cases;

/// <summary>
/// Case rows as this process last wrote them, with their ETags: the attachment that queues a wake-up, or the
/// commit before a timer, has just written the row the next step would read. Deciding on a remembered row saves
/// that read; the ETag still guards the commit, so a row changed elsewhere costs one refused commit and a fresh
/// read, never a wrong decision. A remembered row is only trusted to make a change: when it says "nothing to do",
/// the row is read again before believing it (a wake-up must not be dropped on a stale row's word).
/// </summary>
public sealed class RecentCaseRows
{
    private const int Capacity = 50_000;
    private readonly ConcurrentDictionary<string, CaseEntity> _rows = new(StringComparer.Ordinal);

    /// <summary>A copy of the remembered row, which the caller may change freely.</summary>
    public CaseEntity? Get(string caseId) => _rows.TryGetValue(caseId, out var row) ? row.Copy() : null;

    public void Remember(CaseEntity row)
    {
        if (_rows.Count >= Capacity)
        {
            // Cheaper than tracking age: the cost of forgetting is one read per case.
            _rows.Clear();
        }

        _rows[row.PartitionKey] = row.Copy();
    }

    public void Forget(string caseId) => _rows.TryRemove(caseId, out _);
}
