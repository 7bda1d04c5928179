using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Cases;

/// <summary>The customer's words to the case's reporters: relayed to those who can be written to, else refused saying why.</summary>
public class MessageToReportersTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    private static readonly PlaybookSet Playbooks = PlaybookYaml.Parse("""
        playbooks:
          default: { notify: true, deadline: PT72H, reminder: PT36H, onDeadline: escalate }
        digestWindow: PT24H
        """);

    private static CaseState Notified() => new()
    {
        CaseId = "c1",
        CustomerId = "cust-1",
        ResourceId = "vm-1",
        AbuseClass = AbuseClass.Spam,
        ContactEmail = "noc@customer.test",
        CustomerSince = new DateOnly(2026, 1, 1),
        OpenedAt = Now.AddHours(-1),
        Status = CaseStatus.Notified,
        EventCount = 1,
        Version = 2,
    };

    [Fact]
    public void Words_for_reporters_that_can_be_written_to_are_relayed_once_each_and_kept_in_the_history()
    {
        var reach = new ReporterReach([new("rep-a", "a@reporter.test"), new("rep-b", "b@reporter.test"), new("rep-a", "a@reporter.test")], 1);

        var decision = CaseStateMachine.Decide(Notified(), new MessageToReporters("  patched at 09:40  ", reach), Playbooks, Now);

        var transition = Assert.IsType<Transition>(decision);
        var relay = Assert.IsType<RelayToReporters>(Assert.Single(transition.Effects));
        Assert.Equal("patched at 09:40", relay.Text);
        Assert.Equal(["rep-a", "rep-b"], relay.To.Select(r => r.ReporterId));
        var line = Assert.Single(transition.History);
        Assert.Equal((CaseStateMachine.ToReporters, CaseStateMachine.Customer, "patched at 09:40"), (line.What, line.Actor, line.Detail));
        Assert.Equal(Notified().Status, transition.State.Status);
    }

    [Fact]
    public void A_reporter_that_declined_is_not_written_to_and_the_refusal_says_so() =>
        Assert.Contains("asked not to be contacted",
            Assert.IsType<Refused>(CaseStateMachine.Decide(Notified(), new MessageToReporters("hello", new ReporterReach([], 1)), Playbooks, Now)).Reason,
            StringComparison.Ordinal);

    [Fact]
    public void Reports_without_an_address_to_write_back_to_are_said_to_be_so() =>
        Assert.Contains("without an address",
            Assert.IsType<Refused>(CaseStateMachine.Decide(Notified(), new MessageToReporters("hello", new ReporterReach([], 0)), Playbooks, Now)).Reason,
            StringComparison.Ordinal);

    [Fact]
    public void An_empty_message_is_refused_and_one_whose_reporters_were_not_looked_up_decides_nothing()
    {
        Assert.IsType<Refused>(CaseStateMachine.Decide(Notified(), new MessageToReporters("   ", new ReporterReach([new("rep-a", "a@reporter.test")], 0)), Playbooks, Now));
        Assert.IsType<NoChange>(CaseStateMachine.Decide(Notified(), new MessageToReporters("hello"), Playbooks, Now));
    }
}
