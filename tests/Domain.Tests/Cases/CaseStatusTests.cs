using AbuseDesk.Domain.Cases;

namespace AbuseDesk.Domain.Tests.Cases;

public class CaseStatusTests
{
    [Theory]
    [InlineData(CaseStatus.New, "new")]
    [InlineData(CaseStatus.Notified, "notified")]
    [InlineData(CaseStatus.PendingReview, "pending-review")]
    [InlineData(CaseStatus.Resolved, "resolved")]
    [InlineData(CaseStatus.Disputed, "disputed")]
    [InlineData(CaseStatus.Escalated, "escalated")]
    [InlineData(CaseStatus.SuspensionPending, "suspension-pending")]
    [InlineData(CaseStatus.Suspended, "suspended")]
    [InlineData(CaseStatus.Reinstated, "reinstated")]
    [InlineData(CaseStatus.Closed, "closed")]
    [InlineData(CaseStatus.Terminated, "terminated")]
    public void Wire_names_are_kebab_case(CaseStatus status, string wire)
    {
        Assert.Equal(wire, status.ToWireName());
    }

    [Fact]
    public void Every_status_round_trips_through_its_wire_name()
    {
        var statuses = Enum.GetValues<CaseStatus>();

        foreach (var status in statuses)
        {
            Assert.True(CaseStatuses.TryParse(status.ToWireName(), out var parsed), status.ToString());
            Assert.Equal(status, parsed);
            Assert.True(CaseStatuses.TryParse(status.ToWireName().ToUpperInvariant(), out parsed));
            Assert.Equal(status, parsed);
        }

        Assert.Equal(statuses.Length, statuses.Select(s => s.ToWireName()).Distinct().Count());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("pendingreview")]
    [InlineData("PendingReview")]
    [InlineData("open")]
    [InlineData(" notified")]
    [InlineData("2")]
    public void Anything_else_does_not_parse(string? text)
    {
        Assert.False(CaseStatuses.TryParse(text, out _));
    }

    [Theory]
    [InlineData(CaseStatus.New, true)]
    [InlineData(CaseStatus.Notified, true)]
    [InlineData(CaseStatus.PendingReview, true)]
    [InlineData(CaseStatus.Disputed, true)]
    [InlineData(CaseStatus.Escalated, true)]
    [InlineData(CaseStatus.SuspensionPending, true)]
    [InlineData(CaseStatus.Suspended, true)]
    [InlineData(CaseStatus.Reinstated, true)]
    [InlineData(CaseStatus.Resolved, false)]
    [InlineData(CaseStatus.Closed, false)]
    [InlineData(CaseStatus.Terminated, false)]
    public void Only_resolved_closed_and_terminated_cases_are_finished(CaseStatus status, bool open)
    {
        Assert.Equal(open, status.IsOpen());
    }
}
