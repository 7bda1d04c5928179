using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Notifications;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Notifications;

public class CaseMailTests
{
    private const string PortalUrl = "https://abuse.example.net/portal/cases/v1.k1.20261120-0123456789ab.1795000000.sig";
    private const string Script = "<script>alert('x')</script>";

    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static CaseState State(DateTimeOffset? deadline = null, string? ip = "198.51.100.7", string resourceId = "web-1", int eventCount = 3) => new()
    {
        CaseId = "20261120-0123456789ab",
        CustomerId = "cust-a",
        ResourceId = resourceId,
        AbuseClass = AbuseClass.Spam,
        ContactEmail = "noc@cust-a.example",
        CustomerSince = new DateOnly(2020, 1, 1),
        Ip = ip,
        Status = CaseStatus.Notified,
        EventCount = eventCount,
        OpenedAt = Now,
        NotifiedAt = Now,
        Deadline = deadline,
        Version = 1,
    };

    public static TheoryData<NotificationKind> Kinds() => new(Enum.GetValues<NotificationKind>());

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_subject_starts_with_the_case_tag(NotificationKind kind)
    {
        var mail = CaseMail.Compose(kind, State(Now.AddHours(48)), PortalUrl, kind == NotificationKind.OpsMessage ? "hello" : null);

        Assert.StartsWith("[AbuseDesk #20261120-0123456789ab] ", mail.Subject, StringComparison.Ordinal);
        Assert.Equal("[AbuseDesk #20261120-0123456789ab]", CaseMail.Tag("20261120-0123456789ab"));
        Assert.DoesNotContain('\n', mail.Subject);
        Assert.DoesNotContain('\r', mail.Subject);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_portal_link_is_in_both_parts(NotificationKind kind)
    {
        var mail = CaseMail.Compose(kind, State(Now.AddHours(48)), PortalUrl, kind == NotificationKind.OpsMessage ? "hello" : null);

        Assert.Contains(PortalUrl, mail.Text, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"{PortalUrl}\">", mail.Html, StringComparison.Ordinal);
        Assert.Contains("20261120-0123456789ab", mail.Text, StringComparison.Ordinal);
        Assert.Contains("keep the case tag in the subject: [AbuseDesk #20261120-0123456789ab]", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_portal_link_with_a_query_is_attribute_encoded_in_HTML_and_verbatim_in_text()
    {
        const string url = "https://abuse.example.net/portal/cases/tok?lang=en&x=\"y\"";

        var mail = CaseMail.Compose(NotificationKind.FirstNotice, State(), url);

        Assert.Contains(url, mail.Text, StringComparison.Ordinal);
        Assert.Contains("href=\"https://abuse.example.net/portal/cases/tok?lang=en&amp;x=&quot;y&quot;\"", mail.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_notice_says_what_happened_from_where_and_by_when()
    {
        var mail = CaseMail.Compose(NotificationKind.FirstNotice, State(Now.AddHours(48)), PortalUrl);

        Assert.Equal("[AbuseDesk #20261120-0123456789ab] Abuse report: spam from 198.51.100.7", mail.Subject);
        Assert.Contains("We received 3 reports of spam coming from 198.51.100.7 (web-1).", mail.Text, StringComparison.Ordinal);
        Assert.Contains("before 2026-11-22 10:00 UTC", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Deadline: 2026-11-22 10:00 UTC (2026-11-22T10:00:00Z)", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Address:  198.51.100.7", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Resource: web-1", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Type:     spam", mail.Text, StringComparison.Ordinal);
        Assert.Contains("<td><time datetime=\"2026-11-22T10:00:00Z\">2026-11-22 10:00 UTC</time></td>", mail.Html, StringComparison.Ordinal);
        Assert.Contains("before 2026-11-22 10:00 UTC", mail.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_deadline_is_shown_in_UTC_whatever_offset_it_was_stored_with()
    {
        var mail = CaseMail.Compose(NotificationKind.Reminder, State(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.FromHours(2))), PortalUrl);

        Assert.Contains("Deadline: 2026-11-22 10:00 UTC", mail.Text, StringComparison.Ordinal);
        Assert.Contains("before 2026-11-22 10:00 UTC", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("12:00", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_deadline_no_deadline_is_shown()
    {
        var mail = CaseMail.Compose(NotificationKind.FirstNotice, State(deadline: null), PortalUrl);

        Assert.DoesNotContain("Deadline", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Deadline", mail.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("before", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Please look into it and tell us what you found or fixed.", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_an_IP_the_resource_stands_in()
    {
        var mail = CaseMail.Compose(NotificationKind.FirstNotice, State(ip: null, eventCount: 1), PortalUrl);

        Assert.EndsWith("Abuse report: spam from web-1", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("We received 1 report of spam coming from your service (web-1).", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Address:", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(">Address<", mail.Html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(NotificationKind.Reminder, "Reminder: spam from 198.51.100.7 is still open")]
    [InlineData(NotificationKind.DeadlineReached, "Deadline passed: spam from 198.51.100.7")]
    [InlineData(NotificationKind.ResolutionAccepted, "Resolved: spam from 198.51.100.7")]
    [InlineData(NotificationKind.OpsMessage, "Message from the abuse team about web-1")]
    public void Each_kind_has_its_own_subject(NotificationKind kind, string subject)
    {
        var mail = CaseMail.Compose(kind, State(Now.AddHours(48)), PortalUrl, kind == NotificationKind.OpsMessage ? "hi" : null);

        Assert.Equal($"[AbuseDesk #20261120-0123456789ab] {subject}", mail.Subject);
    }

    [Fact]
    public void A_hostile_ops_message_is_encoded_in_HTML_and_verbatim_in_text()
    {
        var message = $"Please check {Script} and <img src=x onerror=alert(1)> & \"quotes\"\nsecond line";

        var mail = CaseMail.Compose(NotificationKind.OpsMessage, State(), PortalUrl, message);

        Assert.Contains(message, mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", mail.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", mail.Html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", mail.Html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;", mail.Html, StringComparison.Ordinal);
        Assert.Contains("<blockquote", mail.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hostile_resource_id_is_encoded_everywhere_in_HTML_and_verbatim_in_text()
    {
        var mail = CaseMail.Compose(NotificationKind.FirstNotice, State(Now.AddHours(48), ip: null, resourceId: Script), PortalUrl);

        Assert.Contains($"Resource: {Script}", mail.Text, StringComparison.Ordinal);
        Assert.Contains($"from {Script}", mail.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", mail.Html, StringComparison.OrdinalIgnoreCase);
        // In the title (subject), the lead paragraph and the table.
        Assert.Contains("<td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</td>", mail.Html, StringComparison.Ordinal);
        Assert.True(CountOf(mail.Html, "&lt;script&gt;") >= 3, mail.Html);
    }

    [Fact]
    public void A_hostile_IP_field_cannot_inject_markup()
    {
        var mail = CaseMail.Compose(NotificationKind.Reminder, State(Now.AddHours(48), ip: "\"><svg onload=alert(1)>"), PortalUrl);

        Assert.DoesNotContain("<svg", mail.Html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&quot;&gt;&lt;svg onload=alert(1)&gt;", mail.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_message_there_is_no_quoted_block()
    {
        var mail = CaseMail.Compose(NotificationKind.Reminder, State(Now.AddHours(48)), PortalUrl);

        Assert.DoesNotContain("<blockquote", mail.Html, StringComparison.Ordinal);
        Assert.StartsWith("The spam case for web-1 is still open.\nPlease record how you solved it before 2026-11-22 10:00 UTC.", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_HTML_part_is_a_complete_document()
    {
        var mail = CaseMail.Compose(NotificationKind.DeadlineReached, State(Now.AddHours(48)), PortalUrl);

        Assert.StartsWith("<!DOCTYPE html>", mail.Html, StringComparison.Ordinal);
        Assert.Contains("<meta charset=\"utf-8\">", mail.Html, StringComparison.Ordinal);
        Assert.Contains($"<title>{mail.Subject}</title>", mail.Html, StringComparison.Ordinal);
        Assert.EndsWith("</html>", mail.Html.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_relative_or_script_portal_url_is_refused()
    {
        Assert.Throws<ArgumentException>(() => CaseMail.Compose(NotificationKind.FirstNotice, State(), "/portal/cases/tok"));
        Assert.Throws<ArgumentException>(() => CaseMail.Compose(NotificationKind.FirstNotice, State(), "javascript:alert(1)"));
    }

    [Fact]
    public void A_resource_id_with_line_breaks_cannot_add_a_header_line_to_the_subject()
    {
        var mail = CaseMail.Compose(NotificationKind.Suspended, State(resourceId: "web-1\r\nBcc: victim@example.org"), PortalUrl);

        Assert.DoesNotContain('\n', mail.Subject);
        Assert.DoesNotContain('\r', mail.Subject);
        Assert.Contains("web-1 Bcc: victim@example.org", mail.Subject, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
