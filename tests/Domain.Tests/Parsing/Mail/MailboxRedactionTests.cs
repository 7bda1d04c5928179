using AbuseDesk.Domain.Parsing.Mail;

namespace AbuseDesk.Domain.Tests.Parsing.Mail;

public class MailboxRedactionTests
{
    [Theory]
    [InlineData("from jane.doe+x@mail.example today", "from [address removed] today")]
    [InlineData("<a@b.example>, c@d.example.", "<[address removed]>, [address removed].")]
    [InlineData("no address @ here or user@localhost", "no address @ here or user@localhost")]
    public void Replaces_addresses_only(string text, string expected)
    {
        Assert.Equal(expected, MailboxRedaction.Redact(text));
    }
}
