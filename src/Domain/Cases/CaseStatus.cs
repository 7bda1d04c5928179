namespace AbuseDesk.Domain.Cases;

public enum CaseStatus
{
    /// <summary>Created from events; the playbook has not run yet.</summary>
    New,
    /// <summary>The customer was told and the deadline runs.</summary>
    Notified,
    /// <summary>The customer recorded a fix; the playbook wants an ops person to confirm it.</summary>
    PendingReview,
    Resolved,
    Disputed,
    Escalated,
    SuspensionPending,
    Suspended,
    Reinstated,
    Closed,
    Terminated,
}

public static class CaseStatuses
{
    public static string ToWireName(this CaseStatus status) => status switch
    {
        CaseStatus.PendingReview => "pending-review",
        CaseStatus.SuspensionPending => "suspension-pending",
        _ => status.ToString().ToLowerInvariant(),
    };

    public static bool TryParse(string? text, out CaseStatus status)
    {
        foreach (var candidate in Enum.GetValues<CaseStatus>())
        {
            if (string.Equals(candidate.ToWireName(), text, StringComparison.OrdinalIgnoreCase))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    /// <summary>
    /// Whether new events for the same customer, resource and class join this case. A resolved, closed
    /// or terminated case is finished: new events open a new case.
    /// </summary>
    public static bool IsOpen(this CaseStatus status) =>
        status is not (CaseStatus.Resolved or CaseStatus.Closed or CaseStatus.Terminated);
}
