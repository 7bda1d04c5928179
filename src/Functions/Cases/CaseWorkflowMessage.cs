namespace AbuseDesk.Functions.Cases;

/// <summary>
/// The case-workflow message. Kind "events-added" (new events, or a new case starting its playbook), "timer" (a
/// reminder or deadline, armed for <see cref="Version"/> and due at <see cref="DueAt"/>) or "customer-digest"
/// (the customer of <see cref="CustomerId"/> may be owed a digest of their cases' news, not before <see cref="DueAt"/>).
/// </summary>
/// <remarks>
/// An "events-added" message may wake several cases at once (<see cref="CaseIds"/>): a feed that touches a
/// thousand cases queues a few dozen messages, not a thousand.
/// </remarks>
public sealed record CaseWorkflowMessage(string CaseId, string Kind, string? Timer = null, int? Version = null, DateTimeOffset? DueAt = null, string? CustomerId = null, IReadOnlyList<string>? CaseIds = null)
{
    /// <summary>How many cases one events-added message wakes at most.</summary>
    public const int WakeBatch = 32;

    public const string EventsAdded = "events-added";
    public const string TimerKind = "timer";
    public const string CustomerDigest = "customer-digest";
}
