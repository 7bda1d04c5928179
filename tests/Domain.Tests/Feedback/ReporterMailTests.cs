using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Feedback;
using AbuseDesk.Domain.Ownership;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Feedback;

public class ReporterMailTests
{
    private const string Script = "<script>alert('x')</script>";
    private static readonly DateTimeOffset Received = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly ReportFacts Report = new("a1b2c3d4e5f6", Received, "2026-11-20-scan_ssh.csv");

    // Everything that would identify the customer, planted in the inputs so a leak shows.
    private static readonly string[] Identity = ["cust-secret-7", "vm-secret-7", "owner@secret-customer.example", "198.51.100.77", "20261120-secretcase1", "Rebuilt the box"];

    private static ReportParsedFacts Parsed(
        bool failed = false, string? error = null, int events = 3, int routed = 1, int? cases = 1, ReasonCount[]? reasons = null, bool followUp = true, ReportFacts? report = null) =>
        new(report ?? Report, failed, error, events, routed, events - routed, cases,
            reasons ?? [new ReasonCount(UnroutedReasons.NotOurNetwork, events - routed)], ReasonsSampled: false, followUp);

    private static CaseState Ended(CaseStatus status, AbuseClass abuseClass = AbuseClass.Bruteforce) => new()
    {
        CaseId = "20261120-secretcase1",
        CustomerId = "cust-secret-7",
        ResourceId = "vm-secret-7",
        AbuseClass = abuseClass,
        ContactEmail = "owner@secret-customer.example",
        CustomerSince = new DateOnly(2020, 1, 1),
        Ip = "198.51.100.77",
        Status = status,
        EventCount = 4,
        OpenedAt = Received,
        Resolution = status == CaseStatus.Resolved ? "fixed" : null,
        ResolutionNote = status == CaseStatus.Resolved ? "Rebuilt the box" : null,
        EndedAt = Received.AddHours(5),
    };

    [Fact]
    public void The_parsed_mail_counts_events_routed_and_unrouted_with_reasons_in_plain_words()
    {
        var mail = ReporterMail.ComposeParsed(Parsed(events: 5, routed: 2, cases: 1, reasons: [new(UnroutedReasons.NotOurNetwork, 2), new(UnroutedReasons.PrivateAddress, 1)]));

        Assert.Equal("[AbuseDesk] Your report a1b2c3d4e5f6: 5 events, 2 on our network", mail.Subject);
        Assert.Contains("We found 5 events in it.", mail.Text, StringComparison.Ordinal);
        Assert.Contains("- 2 concern our customers: we passed them on as 1 case and asked for a fix.", mail.Text, StringComparison.Ordinal);
        Assert.Contains("- 3 are not ours to act on:", mail.Text, StringComparison.Ordinal);
        Assert.Contains("2 × not in our network: please report them to the network's owner", mail.Text, StringComparison.Ordinal);
        Assert.Contains("1 × a private or reserved address", mail.Text, StringComparison.Ordinal);
        Assert.Contains("We will write again when every case your report fed has been closed.", mail.Text, StringComparison.Ordinal);
        Assert.Contains("<li>2 concern our customers: we passed them on as 1 case and asked for a fix.</li>", mail.Html, StringComparison.Ordinal);
        Assert.Contains("File:     2026-11-20-scan_ssh.csv", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_report_with_nothing_on_our_network_promises_no_follow_up()
    {
        var mail = ReporterMail.ComposeParsed(Parsed(events: 1, routed: 0, cases: 0, followUp: true));

        Assert.Contains("- 0 concern our customers.", mail.Text, StringComparison.Ordinal);
        Assert.Contains("1 × not in our network: please report it", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("write again", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_report_says_why_and_the_reason_is_escaped_in_HTML()
    {
        var mail = ReporterMail.ComposeParsed(Parsed(failed: true, error: $"field 'Source' is {Script}", events: 0, routed: 0, cases: null, reasons: []));

        Assert.Equal("[AbuseDesk] Your report a1b2c3d4e5f6 could not be read", mail.Subject);
        Assert.Contains($"Why: field 'Source' is {Script}", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", mail.Html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", mail.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("write again", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hostile_file_name_is_escaped_in_HTML_and_kept_off_the_subject()
    {
        var hostile = new ReportFacts("a1b2c3d4e5f6", Received, $"x.csv\r\nBcc: victim@example.net {Script}");
        var parsed = ReporterMail.ComposeParsed(Parsed(report: hostile));
        var ended = ReporterMail.ComposeCasesEnded(new ReportCasesEndedFacts(hostile, [Ended(CaseStatus.Resolved)]));

        foreach (var mail in new[] { parsed, ended })
        {
            Assert.DoesNotContain("<script>", mail.Html, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;", mail.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("Bcc", mail.Subject, StringComparison.Ordinal);
            Assert.DoesNotContain("\nBcc", mail.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_cases_ended_mail_groups_outcomes_by_class_and_names_no_customer()
    {
        var mail = ReporterMail.ComposeCasesEnded(new ReportCasesEndedFacts(Report,
            [Ended(CaseStatus.Resolved), Ended(CaseStatus.Resolved), Ended(CaseStatus.Closed, AbuseClass.Spam), Ended(CaseStatus.Terminated, AbuseClass.Phishing)]));

        Assert.Equal("[AbuseDesk] Your report a1b2c3d4e5f6: all 4 cases are closed", mail.Subject);
        Assert.Contains("- 2 × bruteforce: our customer fixed the problem", mail.Text, StringComparison.Ordinal);
        Assert.Contains("- 1 × spam: closed by our abuse team", mail.Text, StringComparison.Ordinal);
        Assert.Contains("- 1 × phishing: the service was shut down", mail.Text, StringComparison.Ordinal);
        Assert.Contains("<li>2 &#215; bruteforce: our customer fixed the problem</li>", mail.Html, StringComparison.Ordinal);
        foreach (var secret in Identity)
        {
            Assert.DoesNotContain(secret, mail.Subject + mail.Text + mail.Html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Neither_mail_carries_the_customers_identity()
    {
        var parsed = ReporterMail.ComposeParsed(Parsed());
        var ended = ReporterMail.ComposeCasesEnded(new ReportCasesEndedFacts(Report, [Ended(CaseStatus.Resolved)]));

        Assert.Equal("[AbuseDesk] Your report a1b2c3d4e5f6: the case is closed", ended.Subject);
        foreach (var secret in Identity)
        {
            Assert.DoesNotContain(secret, parsed.Text + parsed.Html + ended.Subject + ended.Text + ended.Html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_cases_ended_mail_needs_a_case()
    {
        Assert.Throws<ArgumentException>(() => ReporterMail.ComposeCasesEnded(new ReportCasesEndedFacts(Report, [])));
    }

    [Fact]
    public void German_renders_in_German()
    {
        var mail = ReporterMail.ComposeParsed(Parsed(), "de");

        Assert.Equal("[AbuseDesk] Ihre Meldung a1b2c3d4e5f6: 3 Ereignisse, 1 in unserem Netz", mail.Subject);
        Assert.Contains("nicht in unserem Netz", mail.Text, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"de\">", mail.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_reason_CaseAssignment_gives_has_its_own_code()
    {
        var table = AllocationTable.Empty;
        ReportEvent Event(string? ip) => new() { Ip = ip, Url = ip is null ? "http://bad.example/" : null, AbuseClass = AbuseClass.Spam, ReportType = "t" };
        var reasons = new[] { "203.0.113.9", "10.0.0.1", "999.1.1.1", null }
            .Select(ip => CaseAssignment.Route(0, Event(ip), table).UnroutedReason)
            .Select(UnroutedReasons.CodeOf)
            .ToArray();

        Assert.Equal([UnroutedReasons.NotOurNetwork, UnroutedReasons.PrivateAddress, UnroutedReasons.InvalidIp, UnroutedReasons.NoIp], reasons);
    }
}
