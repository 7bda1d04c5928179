using AbuseDesk.Domain.Notifications;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Domain.Tests.Ownership;

public class ContactAddressTests
{
    [Theory]
    [InlineData("noc@cust1.example")]
    [InlineData("ops+abuse@cust3.example")]
    [InlineData("first.last@mail.sub.example.org")]
    [InlineData("a@b.c")]
    [InlineData("Abuse-Desk_1@Example.NET")]
    [InlineData("jörg@exämple.de")]
    [InlineData("a@xn--exmple-cua.de")]
    public void One_bare_mailbox_is_accepted(string address) =>
        Assert.Null(ContactAddress.Problem(address));

    [Theory]
    [InlineData("victim@example.org\r\nBcc: injected@example.net")]
    [InlineData("victim@example.org\nBcc: injected@example.net")]
    [InlineData("victim@example.org\r")]
    [InlineData("victim@example.org\u0000")]
    [InlineData("vic\ttim@example.org")]
    [InlineData("victim@example.org\u2028")]
    [InlineData("vic\u200btim@example.org")]
    [InlineData("victim@example.org\u202e")]
    public void A_line_break_or_another_control_character_is_refused(string address) =>
        Assert.Equal("is not one email address: it contains a line break or another control character", ContactAddress.Problem(address));

    [Theory]
    [InlineData("a@example.org, b@example.org")]
    [InlineData("a@example.org;b@example.org")]
    [InlineData("undisclosed-recipients:;")]
    [InlineData("friends: a@example.org, b@example.org;")]
    public void Several_addresses_or_a_group_are_refused(string address) =>
        Assert.Equal("is not one email address: it lists several addresses or a group", ContactAddress.Problem(address));

    [Theory]
    [InlineData("Alice <alice@example.org>")]
    [InlineData("\"bob@evil.example\" <alice@example.org>")]
    [InlineData("<alice@example.org>")]
    [InlineData("alice@example.org (the boss)")]
    [InlineData("\"john doe\"@example.org")]
    [InlineData("john\\ doe@example.org")]
    [InlineData("a@[192.0.2.1]")]
    [InlineData("<@relay.example:alice@example.org>")]
    public void A_display_name_comment_quote_route_or_address_literal_is_refused(string address) =>
        Assert.StartsWith("is not one email address: give the bare address", ContactAddress.Problem(address), StringComparison.Ordinal);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("noc.cust1.example")]
    [InlineData("@cust1.example")]
    [InlineData("noc@")]
    [InlineData("noc@a@b.example")]
    [InlineData("no c@cust1.example")]
    [InlineData("bad..dots@mail.test")]
    [InlineData(".dot@mail.test")]
    [InlineData("dot.@mail.test")]
    [InlineData("noc@localhost")]
    [InlineData("noc@-cust.example")]
    [InlineData("noc@cust-.example")]
    [InlineData("noc@cust..example")]
    [InlineData("noc@cust.example.")]
    [InlineData("noc@192.0.2.1")]
    public void Something_that_is_not_an_address_is_refused(string? address) =>
        Assert.Equal("is not an email address", ContactAddress.Problem(address));

    [Fact]
    public void An_address_longer_than_a_forward_path_is_refused()
    {
        var local = new string('a', 64);
        var domain = string.Join('.', Enumerable.Repeat(new string('b', 60), 4)) + ".example";
        Assert.Equal("is longer than 254 characters", ContactAddress.Problem($"{local}@{domain}"));
    }

    [Fact]
    public void The_value_shown_in_an_error_has_its_control_characters_escaped_and_is_cut()
    {
        Assert.Equal("victim@example.org\\u000d\\u000aBcc: x@example.net", ContactAddress.Shown("victim@example.org\r\nBcc: x@example.net"));
        var shown = ContactAddress.Shown(new string('a', 500));
        Assert.Equal(121, shown.Length);
        Assert.EndsWith("…", shown, StringComparison.Ordinal);
        Assert.Equal("", ContactAddress.Shown(null));
    }
}
