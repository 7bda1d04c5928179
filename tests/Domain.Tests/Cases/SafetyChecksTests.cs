using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;
using static AbuseDesk.Domain.Tests.Cases.CaseFixtures;

namespace AbuseDesk.Domain.Tests.Cases;

public class SafetyChecksTests
{
    private static readonly Safeties Config = new(TimeSpan.FromDays(90), TimeSpan.FromDays(7), 20);

    private static readonly string[] Names = ["customer-age", "allow-flag", "reinstatement-grace", "circuit-breaker"];

    private static SafetyVerdict Check(CaseState? state = null, SafetyFacts? facts = null, DateTimeOffset? at = null) =>
        SafetyChecks.ForAutomatedSuspension(state ?? NewCase(), facts ?? SafetyFacts.None, Config, at ?? Now);

    private static SafetyResult Result(SafetyVerdict verdict, string name) => Assert.Single(verdict.Checks, c => c.Name == name);

    /// <summary>Exactly one named check blocks, and all four still report.</summary>
    private static SafetyResult BlockedOnlyBy(SafetyVerdict verdict, string name)
    {
        Assert.False(verdict.Allowed);
        Assert.Equal(Names, verdict.Checks.Select(c => c.Name));
        var blocked = Assert.Single(verdict.Checks, c => !c.Passed);
        Assert.Equal(name, blocked.Name);
        return blocked;
    }

    private static AllowFlag Flag(string? resourceId = null, IReadOnlyList<AbuseClass>? classes = null, DateTimeOffset? expiresAt = null, string customerId = "cust-a") =>
        new(customerId, resourceId, classes, "high mail volume is expected (newsletter)", "dora", expiresAt ?? Now.AddDays(30));

    private static SafetyFacts Flags(params AllowFlag[] flags) => SafetyFacts.None with { AllowFlags = flags };

    [Fact]
    public void A_recent_customer_with_nothing_against_automation_passes_all_four()
    {
        var verdict = Check();

        Assert.True(verdict.Allowed);
        Assert.Equal(Names, verdict.Checks.Select(c => c.Name));
        Assert.All(verdict.Checks, c => Assert.True(c.Passed, c.ToString()));
        Assert.Equal(4, verdict.Lines.Count);
        Assert.Equal("customer-age: pass (customer since 2026-10-01 (50 days), within P90D)", verdict.Lines[0]);
        Assert.Equal("circuit-breaker: pass (0 automated suspension(s) in the last hour, limit 20)", verdict.Lines[3]);
    }

    // ---- customer age ----------------------------------------------------------------------------

    [Fact]
    public void A_long_standing_customer_blocks_on_age_alone()
    {
        var blocked = BlockedOnlyBy(Check(NewCase(customerSince: LongStanding)), "customer-age");

        Assert.Contains("2020-01-01", blocked.Detail, StringComparison.Ordinal);
        Assert.Contains("only escalated", blocked.Detail, StringComparison.Ordinal);
        Assert.StartsWith("customer-age: BLOCK (", blocked.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(89, true)]
    [InlineData(90, false)] // 90 days and ten hours at 10:00: older than 90 days
    [InlineData(91, false)]
    public void The_age_line_is_the_configured_review_age(int daysAgo, bool passes)
    {
        var since = DateOnly.FromDateTime(Now.UtcDateTime).AddDays(-daysAgo);

        var verdict = Check(NewCase(customerSince: since));

        Assert.Equal(passes, Result(verdict, "customer-age").Passed);
    }

    [Fact]
    public void The_age_limit_comes_from_the_config()
    {
        var verdict = SafetyChecks.ForAutomatedSuspension(NewCase(), SafetyFacts.None, Config with { ManualReviewAfterCustomerAge = TimeSpan.FromDays(30) }, Now);

        Assert.False(Result(verdict, "customer-age").Passed);
        Assert.Contains("P30D", Result(verdict, "customer-age").Detail, StringComparison.Ordinal);
    }

    // ---- allow-flags -----------------------------------------------------------------------------

    [Fact]
    public void An_unexpired_customer_wide_flag_blocks_alone()
    {
        var blocked = BlockedOnlyBy(Check(facts: Flags(Flag())), "allow-flag");

        Assert.Contains("dora", blocked.Detail, StringComparison.Ordinal);
        Assert.Contains("newsletter", blocked.Detail, StringComparison.Ordinal);
        Assert.Contains(Now.AddDays(30).ToString("O"), blocked.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flag_for_this_resource_and_class_blocks()
    {
        BlockedOnlyBy(Check(facts: Flags(Flag("web-1", [AbuseClass.Spam, AbuseClass.Phishing]))), "allow-flag");
    }

    [Fact]
    public void A_flag_without_classes_covers_every_class()
    {
        BlockedOnlyBy(Check(facts: Flags(Flag("web-1", []))), "allow-flag");
    }

    [Fact]
    public void An_expired_flag_is_ignored_and_the_detail_says_so()
    {
        var verdict = Check(facts: Flags(Flag(expiresAt: Now.AddMinutes(-1))));

        Assert.True(verdict.Allowed);
        var flag = Result(verdict, "allow-flag");
        Assert.True(flag.Passed);
        Assert.Contains("expired", flag.Detail, StringComparison.Ordinal);
        Assert.Contains(Now.AddMinutes(-1).ToString("O"), flag.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flag_expiring_right_now_no_longer_protects()
    {
        Assert.True(Check(facts: Flags(Flag(expiresAt: Now))).Allowed);
    }

    [Fact]
    public void An_expired_flag_does_not_hide_an_active_one()
    {
        var verdict = Check(facts: Flags(Flag(expiresAt: Now.AddDays(-1)), Flag(expiresAt: Now.AddHours(1))));

        BlockedOnlyBy(verdict, "allow-flag");
    }

    [Theory]
    [InlineData("web-2", null)]
    [InlineData(null, AbuseClass.Phishing)]
    [InlineData("web-1", AbuseClass.Bruteforce)]
    [InlineData("WEB-1", null)]
    public void A_flag_scoped_to_another_resource_or_class_does_not_match(string? resourceId, AbuseClass? only)
    {
        var verdict = Check(facts: Flags(Flag(resourceId, only is { } c ? [c] : null)));

        Assert.True(verdict.Allowed);
        Assert.Contains("do not apply", Result(verdict, "allow-flag").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_customers_flag_does_not_match()
    {
        var verdict = Check(facts: Flags(Flag(customerId: "cust-b")));

        Assert.True(verdict.Allowed);
        Assert.Equal("no allow-flag for this customer", Result(verdict, "allow-flag").Detail);
    }

    // ---- reinstatement grace -----------------------------------------------------------------------

    [Fact]
    public void A_manual_reinstatement_within_the_grace_blocks_alone()
    {
        var blocked = BlockedOnlyBy(Check(facts: SafetyFacts.None with { LastManualReinstatement = Now.AddDays(-6) }), "reinstatement-grace");

        Assert.Contains(Now.AddDays(1).ToString("O"), blocked.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void After_the_grace_the_reinstatement_no_longer_blocks()
    {
        var verdict = Check(facts: SafetyFacts.None with { LastManualReinstatement = Now.AddDays(-7) });

        Assert.True(verdict.Allowed);
        Assert.Contains("grace ended", Result(verdict, "reinstatement-grace").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cases_own_reinstatement_counts_even_if_the_customer_record_lags()
    {
        var state = NewCase() with { SuspendedAt = Now.AddDays(-3), ReinstatedAt = Now.AddDays(-2) };

        BlockedOnlyBy(Check(state, SafetyFacts.None with { LastManualReinstatement = Now.AddDays(-30) }), "reinstatement-grace");
    }

    // ---- circuit breaker -------------------------------------------------------------------------

    [Fact]
    public void An_open_breaker_blocks_alone()
    {
        var blocked = BlockedOnlyBy(Check(facts: SafetyFacts.None with { BreakerOpen = true, AutomatedSuspensionsLastHour = 2 }), "circuit-breaker");

        Assert.Contains("breaker open", blocked.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Reaching_the_hourly_limit_blocks_alone_and_says_count_and_limit()
    {
        var blocked = BlockedOnlyBy(Check(facts: SafetyFacts.None with { AutomatedSuspensionsLastHour = 20 }), "circuit-breaker");

        Assert.Contains("20 automated suspension(s) in the last hour, limit 20", blocked.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void One_below_the_limit_passes()
    {
        Assert.True(Check(facts: SafetyFacts.None with { AutomatedSuspensionsLastHour = 19 }).Allowed);
    }

    [Fact]
    public void A_limit_of_zero_never_lets_automation_suspend()
    {
        var verdict = SafetyChecks.ForAutomatedSuspension(NewCase(), SafetyFacts.None, Config with { MaxAutomatedSuspensionsPerHour = 0 }, Now);

        BlockedOnlyBy(verdict, "circuit-breaker");
    }

    [Fact]
    public void Every_check_reports_even_when_all_block()
    {
        var facts = new SafetyFacts([Flag()], Now.AddHours(-1), 25, true);

        var verdict = Check(NewCase(customerSince: LongStanding), facts);

        Assert.False(verdict.Allowed);
        Assert.Equal(Names, verdict.Checks.Select(c => c.Name));
        Assert.All(verdict.Checks, c => Assert.False(c.Passed));
        Assert.All(verdict.Lines, line => Assert.Contains(": BLOCK (", line, StringComparison.Ordinal));
    }
}
