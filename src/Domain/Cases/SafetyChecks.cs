using System.Xml;

namespace AbuseDesk.Domain.Cases;

/// <summary>
/// The one place that decides whether automation may act on a customer (the seed incident in ARCHITECTURE.md).
/// Every check runs and reports, even after one has blocked: the case history must show ops the whole picture,
/// not just the first reason, so that lifting one block never silently uncovers another.
/// </summary>
public static class SafetyChecks
{
    public const string CustomerAge = "customer-age";
    public const string AllowFlag = "allow-flag";
    public const string ReinstatementGrace = "reinstatement-grace";
    public const string CircuitBreaker = "circuit-breaker";

    public static SafetyVerdict ForAutomatedSuspension(CaseState state, SafetyFacts facts, Safeties config, DateTimeOffset now) =>
        new([
            CheckCustomerAge(state, config, now),
            CheckAllowFlags(state, facts, now),
            CheckReinstatementGrace(state, facts, config, now),
            CheckCircuitBreaker(facts, config),
        ]);

    private static SafetyResult CheckCustomerAge(CaseState state, Safeties config, DateTimeOffset now)
    {
        var since = new DateTimeOffset(state.CustomerSince.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var age = now - since;
        var limit = Iso(config.ManualReviewAfterCustomerAge);
        var described = $"customer since {state.CustomerSince:yyyy-MM-dd} ({Math.Max(0, (int)age.TotalDays)} days)";
        return age > config.ManualReviewAfterCustomerAge
            ? new SafetyResult(CustomerAge, false, $"{described}, longer than {limit}: long-standing accounts are only escalated")
            : new SafetyResult(CustomerAge, true, $"{described}, within {limit}");
    }

    private static SafetyResult CheckAllowFlags(CaseState state, SafetyFacts facts, DateTimeOffset now)
    {
        var forCustomer = facts.AllowFlags.Where(f => string.Equals(f.CustomerId, state.CustomerId, StringComparison.Ordinal)).ToList();
        var matching = forCustomer.Where(f => Covers(f, state)).ToList();
        var active = matching.Where(f => f.ExpiresAt > now).OrderByDescending(f => f.ExpiresAt).ToList();
        if (active.Count > 0)
        {
            var flag = active[0];
            return new SafetyResult(AllowFlag, false, $"allow-flag set by {flag.SetBy} until {flag.ExpiresAt:O}: {flag.Reason}");
        }

        var notes = new List<string>();
        var expired = matching.Where(f => f.ExpiresAt <= now).OrderByDescending(f => f.ExpiresAt).ToList();
        if (expired.Count > 0)
        {
            // Said out loud because an expired flag is exactly what an ops person would expect to still protect the customer.
            notes.Add($"{expired.Count} expired flag(s) ignored (latest set by {expired[0].SetBy}, expired {expired[0].ExpiresAt:O})");
        }

        var elsewhere = forCustomer.Count - matching.Count;
        if (elsewhere > 0)
        {
            notes.Add($"{elsewhere} flag(s) for another resource or class do not apply");
        }

        return new SafetyResult(AllowFlag, true, notes.Count == 0 ? "no allow-flag for this customer" : string.Join("; ", notes));
    }

    /// <summary>
    /// A flag without classes (null or an empty list) covers every class: a flag that silently covered nothing
    /// would let automation suspend a customer ops meant to protect.
    /// </summary>
    private static bool Covers(AllowFlag flag, CaseState state) =>
        (flag.ResourceId is null || string.Equals(flag.ResourceId, state.ResourceId, StringComparison.Ordinal))
        && (flag.Classes is null || flag.Classes.Count == 0 || flag.Classes.Contains(state.AbuseClass));

    private static SafetyResult CheckReinstatementGrace(CaseState state, SafetyFacts facts, Safeties config, DateTimeOffset now)
    {
        // The case's own reinstatement counts too, in case the customer-wide record has not caught up yet.
        var last = Latest(facts.LastManualReinstatement, state.ReinstatedAt);
        if (last is not { } at)
        {
            return new SafetyResult(ReinstatementGrace, true, "no manual reinstatement on record");
        }

        var graceEnds = at + config.ReinstatementGrace;
        return now < graceEnds
            ? new SafetyResult(ReinstatementGrace, false, $"manually reinstated {at:O}; automation waits until {graceEnds:O}")
            : new SafetyResult(ReinstatementGrace, true, $"last manual reinstatement {at:O}; grace ended {graceEnds:O}");
    }

    private static SafetyResult CheckCircuitBreaker(SafetyFacts facts, Safeties config)
    {
        var counted = $"{facts.AutomatedSuspensionsLastHour} automated suspension(s) in the last hour, limit {config.MaxAutomatedSuspensionsPerHour}";
        if (facts.BreakerOpen)
        {
            return new SafetyResult(CircuitBreaker, false, $"breaker open: automated suspensions paused until ops resume them; {counted}");
        }

        return facts.AutomatedSuspensionsLastHour >= config.MaxAutomatedSuspensionsPerHour
            ? new SafetyResult(CircuitBreaker, false, $"{counted} reached")
            : new SafetyResult(CircuitBreaker, true, counted);
    }

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is { } x && b is { } y ? (x > y ? x : y) : a ?? b;

    private static string Iso(TimeSpan span) => XmlConvert.ToString(span);
}
