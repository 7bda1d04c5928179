using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Cases;

public enum DeadlineAction
{
    Escalate,
    Suspend,
    Close,
}

/// <summary>What the desk does with a case of one abuse class. A null deadline means informational.</summary>
public sealed record Playbook(
    bool Notify,
    TimeSpan? Deadline,
    TimeSpan? Reminder,
    DeadlineAction OnDeadline,
    bool DryRun = false,
    bool ResolutionNeedsApproval = false);

/// <summary>The desk's limits on automation (see the seed incident in ARCHITECTURE.md).</summary>
public sealed record Safeties(
    TimeSpan ManualReviewAfterCustomerAge,
    TimeSpan ReinstatementGrace,
    int MaxAutomatedSuspensionsPerHour);

/// <summary>Playbooks per abuse class with a default for the rest, plus the safeties and digest window.</summary>
public sealed record PlaybookSet(
    Playbook Default,
    IReadOnlyDictionary<AbuseClass, Playbook> ByClass,
    Safeties Safeties,
    TimeSpan DigestWindow,
    TimeSpan? ReopenWindow = null)
{
    public Playbook For(AbuseClass abuseClass) => ByClass.TryGetValue(abuseClass, out var playbook) ? playbook : Default;

    /// <summary>The defaults ARCHITECTURE.md promises; the shipped playbooks.yaml states the same values.</summary>
    public static PlaybookSet Defaults { get; } = new(
        new Playbook(true, TimeSpan.FromHours(72), TimeSpan.FromHours(36), DeadlineAction.Escalate),
        new Dictionary<AbuseClass, Playbook>
        {
            [AbuseClass.Spam] = new(true, TimeSpan.FromHours(48), TimeSpan.FromHours(24), DeadlineAction.Suspend),
            [AbuseClass.Phishing] = new(true, TimeSpan.FromHours(24), TimeSpan.FromHours(12), DeadlineAction.Suspend),
            [AbuseClass.Malware] = new(true, TimeSpan.FromHours(24), TimeSpan.FromHours(12), DeadlineAction.Suspend),
            [AbuseClass.Botnet] = new(true, TimeSpan.FromHours(24), TimeSpan.FromHours(12), DeadlineAction.Suspend),
            [AbuseClass.Bruteforce] = new(true, TimeSpan.FromHours(48), TimeSpan.FromHours(24), DeadlineAction.Escalate),
            [AbuseClass.Copyright] = new(true, TimeSpan.FromHours(72), TimeSpan.FromHours(36), DeadlineAction.Escalate),
            [AbuseClass.VulnerableService] = new(true, null, null, DeadlineAction.Close),
        },
        new Safeties(TimeSpan.FromDays(90), TimeSpan.FromDays(7), 20),
        TimeSpan.FromHours(24));
}
