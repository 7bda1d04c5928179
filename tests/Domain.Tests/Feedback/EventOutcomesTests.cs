using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Feedback;

namespace AbuseDesk.Domain.Tests.Feedback;

public class EventOutcomesTests
{
    private static readonly byte[] Key = "test-signing-key-0123456789abcdef0123"u8.ToArray();

    [Theory]
    [InlineData(CaseStatus.New, "open")]
    [InlineData(CaseStatus.Notified, "open")]
    [InlineData(CaseStatus.Disputed, "open")]
    [InlineData(CaseStatus.Suspended, "open")]
    [InlineData(CaseStatus.Resolved, "resolved")]
    [InlineData(CaseStatus.Closed, "closed")]
    [InlineData(CaseStatus.Terminated, "terminated")]
    public void A_routed_event_follows_its_case(CaseStatus status, string outcome) =>
        Assert.Equal(outcome, EventOutcomes.For(null, status));

    [Fact]
    public void An_unrouted_event_says_why_and_a_routed_one_without_a_case_yet_is_pending()
    {
        Assert.Equal("unrouted: not our network", EventOutcomes.For("outside the provider's network", null));
        Assert.Equal("unrouted: private or reserved address", EventOutcomes.For("private or reserved address", CaseStatus.Notified));
        Assert.Equal("unrouted: not routed", EventOutcomes.For("something new", null));
        Assert.Equal("pending", EventOutcomes.For(null, null));
    }

    [Fact]
    public void A_case_reference_is_stable_per_report_differs_between_reports_and_hides_the_case_id()
    {
        var a = EventOutcomes.CaseReference("report1", "20261120-0123456789ab", Key);

        Assert.Equal(a, EventOutcomes.CaseReference("report1", "20261120-0123456789ab", Key));
        Assert.NotEqual(a, EventOutcomes.CaseReference("report2", "20261120-0123456789ab", Key));
        Assert.NotEqual(a, EventOutcomes.CaseReference("report1", "20261120-0123456789ac", Key));
        Assert.NotEqual(a, EventOutcomes.CaseReference("report1", "20261120-0123456789ab", "another-key-0123456789abcdef0123456"u8.ToArray()));
        Assert.DoesNotContain("0123456789ab", a, StringComparison.Ordinal);
        Assert.Matches("^c-[0-9a-f]{12}$", a);
    }
}
