using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Notifications;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Notifications;

/// <summary>Every kind in every language: the promises each customer mail keeps, whatever its wording.</summary>
public class MailLocalizationTests
{
    private const string PortalUrl = "https://abuse.example.net/portal/cases/v1.k1.20261120-0123456789ab.1795000000.sig";
    private const string Hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static CaseState State(string caseId = "20261120-0123456789ab", string resourceId = "web-1", string? ip = "198.51.100.7", DateTimeOffset? deadline = null, int events = 3) => new()
    {
        CaseId = caseId,
        CustomerId = "cust-a",
        ResourceId = resourceId,
        AbuseClass = AbuseClass.Phishing,
        ContactEmail = "noc@cust-a.example",
        CustomerSince = new DateOnly(2020, 1, 1),
        Ip = ip,
        Status = CaseStatus.Notified,
        EventCount = events,
        OpenedAt = Now,
        NotifiedAt = Now,
        Deadline = deadline ?? Now.AddHours(24),
        Version = 1,
    };

    public static TheoryData<NotificationKind, string> KindsAndLanguages()
    {
        var data = new TheoryData<NotificationKind, string>();
        foreach (var kind in Enum.GetValues<NotificationKind>())
        {
            foreach (var language in new[] { "en", "de" })
            {
                data.Add(kind, language);
            }
        }

        return data;
    }

    private static readonly NotificationKind[] KindsWithADeadline =
        [NotificationKind.FirstNotice, NotificationKind.Digest, NotificationKind.Reminder, NotificationKind.DeadlineReached, NotificationKind.OpsMessage, NotificationKind.Escalated, NotificationKind.ReporterReply];

    [Theory]
    [MemberData(nameof(KindsAndLanguages))]
    public void Each_mail_has_both_parts_a_tagged_subject_and_the_absolute_link_in_both(NotificationKind kind, string language)
    {
        var mail = CaseMail.Compose(kind, State(), PortalUrl, "a note", language);

        Assert.StartsWith("[AbuseDesk #20261120-0123456789ab] ", mail.Subject, StringComparison.Ordinal);
        Assert.True(mail.Subject.Length > "[AbuseDesk #20261120-0123456789ab] ".Length + 5, mail.Subject);
        Assert.True(mail.Text.Length > 200, mail.Text);
        Assert.StartsWith("<!DOCTYPE html>", mail.Html, StringComparison.Ordinal);
        Assert.Contains($"<html lang=\"{language}\">", mail.Html, StringComparison.Ordinal);
        Assert.Contains(PortalUrl, mail.Text, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"{PortalUrl}\">", mail.Html, StringComparison.Ordinal);
        // How to answer by mail: the tag appears in the body too, for clients that drop the subject on reply.
        Assert.Contains("[AbuseDesk #20261120-0123456789ab]", mail.Text, StringComparison.Ordinal);
        Assert.Contains("web-1", mail.Text, StringComparison.Ordinal);
        Assert.Contains("phishing", mail.Text, StringComparison.Ordinal);
        Assert.Contains("a note", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", mail.Html, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(KindsAndLanguages))]
    public void Kinds_that_ask_for_something_show_the_deadline_in_UTC_and_ISO_in_both_parts(NotificationKind kind, string language)
    {
        var mail = CaseMail.Compose(kind, State(deadline: new DateTimeOffset(2026, 11, 21, 12, 30, 0, TimeSpan.FromHours(2))), PortalUrl, null, language);

        if (KindsWithADeadline.Contains(kind))
        {
            Assert.Contains("2026-11-21 10:30 UTC (2026-11-21T10:30:00Z)", mail.Text, StringComparison.Ordinal);
            Assert.Contains("<time datetime=\"2026-11-21T10:30:00Z\">2026-11-21 10:30 UTC</time>", mail.Html, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain("2026-11-21", mail.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("2026-11-21", mail.Html, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(KindsAndLanguages))]
    public void Hostile_report_and_person_text_is_escaped_in_HTML_and_kept_verbatim_in_text(NotificationKind kind, string language)
    {
        var mail = CaseMail.Compose(kind, State(resourceId: Hostile, ip: "\"><svg onload=alert(3)>"), PortalUrl, Hostile, language);

        Assert.Contains(Hostile, mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", mail.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", mail.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<svg", mail.Html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&quot;&gt;&lt;svg onload=alert(3)&gt;", mail.Html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(2)&gt;", mail.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_German_customer_reads_German_and_the_English_one_English()
    {
        var de = CaseMail.Compose(NotificationKind.FirstNotice, State(), PortalUrl, null, "de");
        var en = CaseMail.Compose(NotificationKind.FirstNotice, State(), PortalUrl, null, "en");

        Assert.Equal("[AbuseDesk #20261120-0123456789ab] Missbrauchsmeldung: phishing von 198.51.100.7", de.Subject);
        Assert.Contains("Wir haben 3 Meldungen über phishing von 198.51.100.7 (web-1) erhalten.", de.Text, StringComparison.Ordinal);
        Assert.Contains("Frist:     2026-11-21 10:00 UTC", de.Text, StringComparison.Ordinal);
        Assert.Contains("Vorgangskennung im Betreff", de.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("We received", de.Text, StringComparison.Ordinal);
        Assert.Contains("We received 3 reports of phishing", en.Text, StringComparison.Ordinal);
        Assert.NotEqual(de.Html, en.Html);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("fr")]
    [InlineData("../en")]
    public void An_unknown_or_missing_language_falls_back_to_English(string? language)
    {
        var mail = CaseMail.Compose(NotificationKind.Reminder, State(), PortalUrl, null, language);

        Assert.Equal(CaseMail.Compose(NotificationKind.Reminder, State(), PortalUrl, null, "en"), mail);
        Assert.Equal("en", MailLanguages.Normalize(language));
    }

    [Theory]
    [InlineData("DE", "de")]
    [InlineData(" de ", "de")]
    [InlineData("en", "en")]
    public void Language_codes_are_matched_without_regard_to_case_or_spaces(string language, string expected) =>
        Assert.Equal(expected, MailLanguages.Normalize(language));

    [Fact]
    public void Every_language_has_every_template_of_English()
    {
        Assert.Contains("en", MailLanguages.Known);
        Assert.Contains("de", MailLanguages.Known);
        var english = MailTemplates.NamesIn("en").Order(StringComparer.Ordinal).ToList();
        Assert.Contains("layout.html.sbn", english);
        Assert.Contains("customer-digest.sbn", english);
        Assert.All(Enum.GetValues<NotificationKind>(), kind => Assert.Contains(CaseMail.TemplateName(kind), english));
        Assert.All(MailLanguages.Known, language => Assert.Equal(english, MailTemplates.NamesIn(language).Order(StringComparer.Ordinal).ToList()));
    }

    [Theory]
    [InlineData("en", "[AbuseDesk] 3 cases with new reports")]
    [InlineData("de", "[AbuseDesk] 3 Vorgänge mit neuen Meldungen")]
    public void The_customer_digest_lists_every_case_with_its_tag_link_and_news(string language, string subject)
    {
        var items = new[]
        {
            new DigestItem(State("20261120-aaaaaaaaaaaa", "web-1", events: 10), "https://abuse.example.net/portal/cases/tok-a", 4),
            new DigestItem(State("20261120-bbbbbbbbbbbb", "mail-2", ip: null, events: 2), "https://abuse.example.net/portal/cases/tok-b?x=1&y=2", 1),
            new DigestItem(State("20261120-cccccccccccc", Hostile, events: 7), "https://abuse.example.net/portal/cases/tok-c", 7),
        };

        var mail = CaseMail.ComposeCustomerDigest(items, language);

        Assert.Equal(subject, mail.Subject);
        Assert.DoesNotContain("#", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("12", mail.Text, StringComparison.Ordinal);
        foreach (var item in items)
        {
            Assert.Contains(CaseMail.Tag(item.Case.CaseId), mail.Text, StringComparison.Ordinal);
            Assert.Contains(CaseMail.Tag(item.Case.CaseId), mail.Html, StringComparison.Ordinal);
            Assert.Contains(item.PortalUrl, mail.Text, StringComparison.Ordinal);
            Assert.Contains($"href=\"{item.PortalUrl.Replace("&", "&amp;", StringComparison.Ordinal)}\"", mail.Html, StringComparison.Ordinal);
        }

        Assert.Contains("2026-11-21 10:00 UTC (2026-11-21T10:00:00Z)", mail.Text, StringComparison.Ordinal);
        Assert.Contains(Hostile, mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", mail.Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", mail.Html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(3, mail.Html.Split("<a href=").Length - 1);
    }

    [Fact]
    public void A_digest_of_one_case_says_one_case()
    {
        var mail = CaseMail.ComposeCustomerDigest([new DigestItem(State(), PortalUrl, 1)], "en");

        Assert.Equal("[AbuseDesk] 1 case with new reports", mail.Subject);
        Assert.Contains("1 new report about 1 of your open cases", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_digest_is_a_mistake_not_an_empty_mail() =>
        Assert.Throws<ArgumentException>(() => CaseMail.ComposeCustomerDigest([], "en"));
}
