using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Cases;

/// <summary>
/// "High CPU is expected": ops tell automation to leave a customer (or one resource, or some classes) alone
/// until <see cref="ExpiresAt"/>. Every playbook honours it; an expired flag counts for nothing.
/// </summary>
public sealed record AllowFlag(
    string CustomerId,
    string? ResourceId,
    IReadOnlyList<AbuseClass>? Classes,
    string Reason,
    string SetBy,
    DateTimeOffset ExpiresAt);

/// <summary>
/// What the app knows about the world outside the case when automation may act on a customer. Gathered
/// before the decision, so the state machine stays pure.
/// </summary>
public sealed record SafetyFacts(
    IReadOnlyList<AllowFlag> AllowFlags,
    DateTimeOffset? LastManualReinstatement,
    int AutomatedSuspensionsLastHour,
    bool BreakerOpen)
{
    public static SafetyFacts None { get; } = new([], null, 0, false);
}

/// <summary>One safety's answer: its name ("customer-age", "allow-flag", "reinstatement-grace", "circuit-breaker"), pass or block, and why.</summary>
public sealed record SafetyResult(string Name, bool Passed, string Detail)
{
    public override string ToString() => $"{Name}: {(Passed ? "pass" : "BLOCK")} ({Detail})";
}

/// <summary>All safeties for one intended automated action; the action is allowed only if every one passes.</summary>
public sealed record SafetyVerdict(IReadOnlyList<SafetyResult> Checks)
{
    public bool Allowed => Checks.All(c => c.Passed);

    public IReadOnlyList<string> Lines => Checks.Select(c => c.ToString()).ToArray();
}
