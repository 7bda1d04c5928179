using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Feedback;
using AbuseDesk.Domain.Ownership;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Feedback;

/// <summary>One mail for everything a reporter is owed in a window (<see cref="ReporterMail.Compose"/>).</summary>
public class GatheredFeedbackMailTests
{
    private const string Script = "<script>alert('x')</script>";
    private static readonly DateTimeOffset Received = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static FeedbackSection Parsed(string reportId, string? fileName = null, bool failed = false, string? error = null) =>
        ReporterMail.ParsedSection(new ReportParsedFacts(new ReportFacts(reportId, Received, fileName), failed, error,
            EventCount: failed ? 0 : 3, RoutedCount: failed ? 0 : 1, UnroutedCount: failed ? 0 : 2, CaseCount: failed ? null : 1,
            failed ? [] : [new ReasonCount(UnroutedReasons.NotOurNetwork, 2)], ReasonsSampled: false, FollowUp: true));

    [Fact]
    public void One_section_is_the_reports_own_mail_word_for_word()
    {
        var facts = new ReportParsedFacts(new ReportFacts("r-one", Received, "feed.csv"), false, null, 3, 1, 2, 1,
            [new ReasonCount(UnroutedReasons.NotOurNetwork, 2)], false, true);

        Assert.Equal(ReporterMail.ComposeParsed(facts), ReporterMail.Compose([ReporterMail.ParsedSection(facts)]));
    }

    [Fact]
    public void Several_reports_become_one_mail_listing_each_once_with_its_details()
    {
        var ended = ReporterMail.CasesEndedSection(new ReportCasesEndedFacts(new ReportFacts("r-3", Received, null),
            [new CaseState { CaseId = "c1", CustomerId = "cust-secret", ResourceId = "vm-secret", AbuseClass = AbuseClass.Spam, ContactEmail = "x@secret.example", Status = CaseStatus.Closed, CustomerSince = new DateOnly(2020, 1, 1), OpenedAt = Received }]));
        var mail = ReporterMail.Compose([Parsed("r-1", "a.csv"), Parsed("r-2"), ended]);

        Assert.Equal("[AbuseDesk] Feedback on 3 of your reports", mail.Subject);
        Assert.Contains("* Your report r-1: 3 events, 1 on our network", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Received 2026-11-20 10:00 UTC, file a.csv", mail.Text, StringComparison.Ordinal);
        Assert.Contains("  - 2 × not in our network: please report them to the network's owner", mail.Text, StringComparison.Ordinal);
        Assert.Contains("* Your report r-3: the case is closed", mail.Text, StringComparison.Ordinal);
        Assert.Contains("1 × spam: closed by our abuse team", mail.Text, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(mail.Text, "Your report r-2:"));
        Assert.Contains("<li><strong>Your report r-2: 3 events, 1 on our network</strong>", mail.Html, StringComparison.Ordinal);
        foreach (var secret in new[] { "cust-secret", "vm-secret", "secret.example", "c1" })
        {
            Assert.DoesNotContain(secret, mail.Text + mail.Html + mail.Subject, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void What_the_reporter_sent_is_escaped_in_HTML_and_kept_to_one_line()
    {
        var mail = ReporterMail.Compose([Parsed("r-1", $"x.csv\r\nBcc: victim@example.net {Script}"), Parsed("r-2", failed: true, error: $"bad\nline {Script}")]);

        Assert.DoesNotContain("<script>", mail.Html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", mail.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("\nBcc:", mail.Text, StringComparison.Ordinal);
        Assert.Contains($"Why: bad line {Script}", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("victim", mail.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mail_too_big_to_store_keeps_every_report_and_drops_their_details()
    {
        var sections = Enumerable.Range(0, 60).Select(i => Parsed($"r-{i}", failed: true, error: new string('e', 2000))).ToList();

        var mail = ReporterMail.Compose(sections);

        Assert.InRange(mail.Text.Length, 1, ReporterMail.MaxGatheredChars);
        Assert.InRange(mail.Html.Length, 1, ReporterMail.MaxGatheredChars);
        Assert.All(sections, s => Assert.Contains($"Your report {s.Report.ReportId} could not be read", mail.Text, StringComparison.Ordinal));
        Assert.Contains("the API has the outcome of each event", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void German_gathers_in_German()
    {
        var mail = ReporterMail.Compose([Parsed("r-1"), Parsed("r-2")], "de");

        Assert.Equal("[AbuseDesk] Rückmeldung zu 2 Ihrer Meldungen", mail.Subject);
        Assert.Contains("Erhalten 2026-11-20 10:00 UTC", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mail_about_nothing_is_refused() =>
        Assert.Throws<ArgumentException>(() => ReporterMail.Compose([]));
}
