using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Parsing.Mail;

/// <summary>Data attachments in no reporter's own layout: CSV under any address column name, octet-stream, zipped; IntelMQ JSON.</summary>
public class AttachedDataMailFormatTests
{
    [Fact]
    public void Semicolon_csv_with_a_source_ip_column_yields_one_event_a_row_with_its_port()
    {
        var outcome = MailSamples.Parse("reading/csv-source-ip-column.eml");

        Assert.Equal("attached-data", outcome.Format);
        Assert.Equal(["192.0.2.61", "192.0.2.62", "2001:db8:40::7"], outcome.Events.Select(e => e.Ip));
        Assert.Equal([51544, 38810, 60122], outcome.Events.Select(e => e.Port ?? 0));

        // No type column: the class is what the mail's own words say.
        Assert.All(outcome.Events, e => Assert.Equal(AbuseClass.Bruteforce, e.AbuseClass));
        Assert.All(outcome.Events, e => Assert.False(e.LowConfidence));
        Assert.Contains("Source Ip: 192.0.2.61", outcome.Events[0].Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_sent_as_octet_stream_is_read_by_its_name()
    {
        var outcome = MailSamples.Parse("reading/csv-octet-stream.eml");

        Assert.Equal("attached-data", outcome.Format);
        Assert.Equal(["203.0.113.201", "203.0.113.202"], outcome.Events.Select(e => e.Ip));
    }

    [Fact]
    public void Zipped_intelmq_csv_is_read_with_its_classification_and_time()
    {
        var outcome = MailSamples.Parse("reading/csv-zipped-intelmq.eml");

        Assert.Equal("attached-data", outcome.Format);
        Assert.Equal(["198.51.100.14", "198.51.100.15"], outcome.Events.Select(e => e.Ip));
        var first = outcome.Events[0];
        Assert.Equal(AbuseClass.Bruteforce, first.AbuseClass);
        Assert.Equal("attached-brute-force", first.ReportType);
        Assert.Equal(23, first.Port);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 2, 11, 40, TimeSpan.Zero), first.OccurredAt);
    }

    [Fact]
    public void Intelmq_json_array_yields_each_event_with_its_class_and_url()
    {
        var outcome = MailSamples.Parse("reading/intelmq-json-events.eml");

        Assert.Equal("attached-data", outcome.Format);
        Assert.Equal(["192.0.2.201", "192.0.2.202", "192.0.2.203"], outcome.Events.Select(e => e.Ip));
        Assert.Equal([AbuseClass.Botnet, AbuseClass.VulnerableService, AbuseClass.Phishing], outcome.Events.Select(e => e.AbuseClass));
        Assert.Equal("http://login-verify.customer.example/secure/", outcome.Events[2].Url);
        Assert.Equal(445, outcome.Events[0].Port);
    }

    [Fact]
    public void Intelmq_json_lines_nested_or_flat_are_read_one_event_a_line()
    {
        var lines = """
            {"source": {"ip": "192.0.2.91", "port": 22}, "classification": {"type": "brute-force"}, "time": {"source": "2026-11-26T10:00:00+00:00"}}
            {"source.ip": "192.0.2.92", "classification.type": "scanner"}
            """;
        var outcome = ReportParsing.Text(WithAttachment("events.jsonl", "application/octet-stream", lines), ReportParsing.Mail);

        Assert.Equal("attached-data", outcome.Format);
        Assert.Equal(["192.0.2.91", "192.0.2.92"], outcome.Events.Select(e => e.Ip));
        Assert.Equal([AbuseClass.Bruteforce, AbuseClass.Scanning], outcome.Events.Select(e => e.AbuseClass));
        Assert.Equal(22, outcome.Events[0].Port);
    }

    [Fact]
    public void Csv_without_an_address_column_is_not_taken_for_data()
    {
        var csv = "Product,Price\nHosting S,4.99\nHosting M,9.99\n";

        var outcome = ReportParsing.Text(WithAttachment("prices.csv", "text/csv", csv), ReportParsing.Mail);

        Assert.NotEqual("attached-data", outcome.Format);
    }

    [Fact]
    public void A_destination_column_is_never_the_reported_host()
    {
        var csv = "destination.ip,destination.port\n192.0.2.77,443\n";

        var outcome = ReportParsing.Text(WithAttachment("targets.csv", "text/csv", csv), ReportParsing.Mail);

        Assert.NotEqual("attached-data", outcome.Format);
    }

    [Fact]
    public void Csv_inside_a_forwarded_message_is_evidence_and_not_read_as_data()
    {
        var inner = WithAttachment("attacks.csv", "text/csv", "ip\n192.0.2.55\n");
        var mail = $"""
            From: Reporter <reports@reporter.example>
            To: abuse@hosting.example
            Subject: see attached
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="outer"

            --outer
            Content-Type: text/plain

            Forwarding this for your information.

            --outer
            Content-Type: message/rfc822

            {inner}
            --outer--
            """;

        var outcome = ReportParsing.Text(mail.Replace("\r\n", "\n", StringComparison.Ordinal), ReportParsing.Mail);

        Assert.NotEqual("attached-data", outcome.Format);
    }

    private static string WithAttachment(string fileName, string contentType, string content) =>
        $"""
        From: Reporter <reports@reporter.example>
        To: abuse@hosting.example
        Subject: Attacks from your network
        Date: Fri, 20 Nov 2026 09:00:00 +0000
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="data-1"

        --data-1
        Content-Type: text/plain

        Please see the attached file.

        --data-1
        Content-Type: {contentType}; name="{fileName}"
        Content-Disposition: attachment; filename="{fileName}"

        {content}
        --data-1--
        """.Replace("\r\n", "\n", StringComparison.Ordinal);
}
