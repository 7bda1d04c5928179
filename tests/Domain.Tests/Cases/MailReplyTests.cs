using AbuseDesk.Domain.Cases;
using static AbuseDesk.Domain.Tests.Cases.CaseFixtures;

namespace AbuseDesk.Domain.Tests.Cases;

/// <summary>A mail answering a case: the customer's joins the conversation, a reporter's too and the customer hears of it.</summary>
public class MailReplyTests
{
    [Fact]
    public void A_reporters_reply_is_a_reporter_message_naming_the_reporter_for_ops_and_the_customer_is_notified_with_its_words()
    {
        var decision = Decide(Notified(), new MailReply(ReplyParty.Reporter, "  Attacks stopped at 10:00.  ", true, "rep-a"), Now);

        var transition = Assert.IsType<Transition>(decision);
        var line = Assert.Single(transition.History);
        Assert.Equal(CaseStateMachine.FromReporter, line.What);
        Assert.Equal(CaseStateMachine.Reporter, line.Actor);
        Assert.Equal("reporter rep-a by mail; sender verified", line.Rule);
        Assert.Equal("Attacks stopped at 10:00.", line.Detail);
        var notice = Assert.IsType<SendNotification>(Assert.Single(transition.Effects));
        Assert.Equal(NotificationKind.ReporterReply, notice.Kind);
        Assert.Equal("Attacks stopped at 10:00.", notice.Text);
        // A reply changes nothing about the case's course.
        Assert.Equal(CaseStatus.Notified, transition.State.Status);
        Assert.Equal(Notified().Deadline, transition.State.Deadline);
    }

    [Fact]
    public void An_unverified_reporters_reply_is_kept_for_the_page_and_ops_but_not_mailed_to_the_customer()
    {
        var decision = Decide(Notified(), new MailReply(ReplyParty.Reporter, "Click here to keep your server", false, "rep-a"), Now);

        var transition = Assert.IsType<Transition>(decision);
        Assert.Equal("reporter rep-a by mail; sender not verified", Assert.Single(transition.History).Rule);
        Assert.Empty(transition.Effects);
    }

    [Fact]
    public void The_customers_reply_by_mail_is_their_message_and_says_whether_the_sender_was_verified()
    {
        var decision = Decide(Notified(), new MailReply(ReplyParty.Customer, "We are on it.", false), Now);

        var transition = Assert.IsType<Transition>(decision);
        var line = Assert.Single(transition.History);
        Assert.Equal("customer-message", line.What);
        Assert.Equal(CaseStateMachine.Customer, line.Actor);
        Assert.Equal("by mail; sender not verified", line.Rule);
        Assert.Empty(transition.Effects);
    }

    [Fact]
    public void A_reply_with_no_words_of_its_own_is_refused()
    {
        var decision = Decide(Notified(), new MailReply(ReplyParty.Reporter, "  \n ", true, "rep-a"), Now);

        Assert.Equal("the reply has no words of its own", Assert.IsType<Refused>(decision).Reason);
    }

    [Fact]
    public void A_reply_to_a_closed_case_still_joins_its_conversation()
    {
        var decision = Decide(Notified() with { Status = CaseStatus.Closed }, new MailReply(ReplyParty.Reporter, "Thanks, all quiet now.", true, "rep-a"), Now);

        Assert.Equal(CaseStatus.Closed, Assert.IsType<Transition>(decision).State.Status);
    }
}
