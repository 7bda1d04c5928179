using AbuseDesk.Domain.Notifications;

namespace AbuseDesk.Domain.Tests.Notifications;

/// <summary>Which case a mail answers, and the sender's own words in it.</summary>
public class ReplyMailTests
{
    private const string Case = "20261207-0123456789ab";

    [Theory]
    [InlineData("<case-20261207-0123456789ab@example.net>")]
    [InlineData("<20261207-0123456789ab.000007@example.net>")]
    [InlineData("20261207-0123456789ab.000012@EXAMPLE.NET")]
    public void Our_message_ids_in_the_references_name_the_case(string reference)
    {
        Assert.Equal(Case, ReplyMail.CaseIdIn("Re: anything", [null, "<other@elsewhere.test>", reference], "example.net"));
    }

    [Fact]
    public void Ids_of_another_domain_do_not_count_and_the_subject_tag_is_the_fallback()
    {
        Assert.Null(ReplyMail.CaseIdIn("Re: hello", ["<case-20261207-0123456789ab@attacker.test>"], "example.net"));
        Assert.Equal(Case, ReplyMail.CaseIdIn($"Re: [AbuseDesk #{Case}] Spam from your server", ["<case-20261207-ffffffffffff@attacker.test>"], "example.net"));
    }

    [Theory]
    [InlineData("Re: [AbuseDesk #20261207-0123456789a] short id")]
    [InlineData("Re: [AbuseDesk 20261207-0123456789ab] no hash")]
    [InlineData("Re: AbuseDesk #20261207-0123456789ab")]
    [InlineData(null)]
    public void Anything_else_names_no_case(string? subject)
    {
        Assert.Null(ReplyMail.CaseIdIn(subject, ["<case-2026-0123@example.net>", "<20261207-0123456789ab.7@example.net>"], "example.net"));
    }

    [Fact]
    public void Own_words_stop_where_the_quote_begins_and_leave_quoted_lines_and_the_signature_out()
    {
        const string Body = """
            Thanks, the attacks stopped at 10:00 UTC.

            > you wrote something
            We will watch it for a day.
            --
            Jane, NOC
            """;

        Assert.Equal("Thanks, the attacks stopped at 10:00 UTC.\n\nWe will watch it for a day.", ReplyMail.OwnWords(Body, 4000));
    }

    [Theory]
    [InlineData("Confirmed.\r\n\r\nOn Mon, 7 Dec 2026 at 10:00, AbuseDesk <abuse@example.net> wrote:\r\n> We removed the plugin.")]
    [InlineData("Confirmed.\nOn Mon, 7 Dec 2026 at 10:00, AbuseDesk <\nabuse@example.net> wrote:\n> We removed the plugin.")]
    [InlineData("Confirmed.\nAm 07.12.2026 um 10:00 schrieb AbuseDesk:\n> We removed the plugin.")]
    [InlineData("Confirmed.\n-----Original Message-----\nFrom: AbuseDesk\nWe removed the plugin.")]
    [InlineData("Confirmed.\n________________________________\nFrom: AbuseDesk\nWe removed the plugin.")]
    public void The_quote_headers_of_common_mail_programs_end_the_own_words(string body)
    {
        Assert.Equal("Confirmed.", ReplyMail.OwnWords(body, 4000));
    }

    [Fact]
    public void Own_words_are_bounded_and_a_quote_only_reply_has_none()
    {
        Assert.Equal(100, ReplyMail.OwnWords(new string('a', 100_000), 100).Length);
        Assert.Equal("", ReplyMail.OwnWords("> only quoted\n> text", 4000));
        Assert.Equal("", ReplyMail.OwnWords(null, 4000));
    }
}
