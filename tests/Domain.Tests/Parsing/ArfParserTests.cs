using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Parsing;

public class ArfParserTests
{
    [Fact]
    public void Standard_abuse_report_yields_one_spam_event_for_the_source_ip()
    {
        var outcome = ReportParsing.ArfSample("standard-abuse.eml");

        Assert.False(outcome.Failed, outcome.Error);
        Assert.Equal(ReportFormats.Arf, outcome.Format);
        var reportEvent = Assert.Single(outcome.Events);
        Assert.Equal("192.0.2.10", reportEvent.Ip);
        Assert.Null(reportEvent.Url);
        Assert.Null(reportEvent.Port);
        Assert.Equal(AbuseClass.Spam, reportEvent.AbuseClass);
        Assert.Equal("arf-abuse", reportEvent.ReportType);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 9, 58, 12, TimeSpan.Zero), reportEvent.OccurredAt);
        Assert.False(reportEvent.LowConfidence);
    }

    [Fact]
    public void Evidence_is_an_excerpt_of_report_fields_and_reported_headers_without_body_or_complainant()
    {
        var evidence = Assert.Single(ReportParsing.ArfSample("standard-abuse.eml").Events).Evidence;

        Assert.NotNull(evidence);
        Assert.Contains("Feedback-Type: abuse", evidence, StringComparison.Ordinal);
        Assert.Contains("User-Agent: ReporterFBL/2.1", evidence, StringComparison.Ordinal);
        Assert.Contains("Source-IP: 192.0.2.10", evidence, StringComparison.Ordinal);
        Assert.Contains("Reported-Domain: shop.customer.example", evidence, StringComparison.Ordinal);
        Assert.Contains("From: \"Shop Deals\" <newsletter@shop.customer.example>", evidence, StringComparison.Ordinal);
        Assert.Contains("Subject: Cheap watches", evidence, StringComparison.Ordinal);
        Assert.Contains("Date: Fri, 20 Nov 2026 09:58:00 +0000", evidence, StringComparison.Ordinal);
        Assert.Contains("Message-ID: <deal-42@shop.customer.example>", evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("must never appear", evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("complainant@reporter.example", evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_0_1_report_with_Received_Date_is_read_like_version_1()
    {
        var reportEvent = Assert.Single(ReportParsing.ArfSample("version-0.1-received-date.eml").Events);

        Assert.Equal("198.51.100.23", reportEvent.Ip);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 7, 45, 50, TimeSpan.Zero), reportEvent.OccurredAt);
        Assert.Equal(TimeSpan.Zero, reportEvent.OccurredAt!.Value.Offset);
    }

    [Fact]
    public void Without_Source_IP_the_delivering_hop_of_the_reported_message_is_used_and_flagged()
    {
        var reportEvent = Assert.Single(ReportParsing.ArfSample("no-source-ip.eml").Events);

        // Topmost external hop: not the reporter's internal relays above it, not the sender's client below.
        Assert.Equal("203.0.113.45", reportEvent.Ip);
        Assert.True(reportEvent.LowConfidence);
        Assert.Contains("Received headers", reportEvent.Evidence, StringComparison.Ordinal);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 12, 39, 50, TimeSpan.Zero), reportEvent.OccurredAt);
    }

    [Fact]
    public void Text_rfc822_headers_part_serves_as_the_reported_message()
    {
        var reportEvent = Assert.Single(ReportParsing.ArfSample("rfc822-headers.eml").Events);

        Assert.Equal("203.0.113.77", reportEvent.Ip);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 13, 29, 55, TimeSpan.Zero), reportEvent.OccurredAt);
        Assert.Contains("Subject: Promo", reportEvent.Evidence, StringComparison.Ordinal);
        Assert.Contains("Reported-Domain: customer.example", reportEvent.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Singular_text_rfc822_header_part_is_accepted_too()
    {
        var mail = ArfSampleMessage.With("Feedback-Type: abuse\nUser-Agent: x\nVersion: 1")
            .Replace("Content-Type: message/rfc822", "Content-Type: text/rfc822-header", StringComparison.Ordinal)
            .Replace("From: <sender@customer.example>", "Received: from a.customer.example (a.customer.example [192.0.2.99]) by mx.reporter.example; Fri, 20 Nov 2026 09:00:01 +0000\r\nFrom: <sender@customer.example>", StringComparison.Ordinal);

        var reportEvent = Assert.Single(ReportParsing.Text(mail, ReportParsing.Mail).Events);

        Assert.Equal("192.0.2.99", reportEvent.Ip);
    }

    [Fact]
    public void IPv6_Source_IP_is_normalised()
    {
        var reportEvent = Assert.Single(ReportParsing.ArfSample("ipv6-source-ip.eml").Events);

        Assert.Equal("2001:db8::25", reportEvent.Ip);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 13, 55, 0, TimeSpan.Zero), reportEvent.OccurredAt);
    }

    [Fact]
    public void Fraud_report_keeps_the_first_Reported_URI()
    {
        var reportEvent = Assert.Single(ReportParsing.ArfSample("fraud-reported-uri.eml").Events);

        Assert.Equal(AbuseClass.Fraud, reportEvent.AbuseClass);
        Assert.Equal("arf-fraud", reportEvent.ReportType);
        Assert.Equal("203.0.113.9", reportEvent.Ip);
        Assert.Equal("http://bank-verify.example/login.php?session=1", reportEvent.Url);
        Assert.Contains("Reported-Domain: bank-verify.example", reportEvent.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Virus_report_is_malware_and_keeps_the_source_port()
    {
        var reportEvent = Assert.Single(ReportParsing.ArfSample("virus.eml").Events);

        Assert.Equal(AbuseClass.Malware, reportEvent.AbuseClass);
        Assert.Equal("arf-virus", reportEvent.ReportType);
        Assert.Equal("198.51.100.66", reportEvent.Ip);
        Assert.Equal(587, reportEvent.Port);
        Assert.Contains("Subject: Invoice", reportEvent.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_with_only_a_Reported_URI_yields_a_url_event()
    {
        var reportEvent = Assert.Single(ReportParsing.ArfSample("reported-uri-only.eml").Events);

        Assert.Null(reportEvent.Ip);
        Assert.Equal("https://pills.customer.example/buy", reportEvent.Url);
    }

    [Fact]
    public void Report_without_any_IP_or_URL_fails_with_the_reason()
    {
        var outcome = ReportParsing.ArfSample("no-ip-no-url.eml");

        Assert.True(outcome.Failed);
        Assert.Equal(ReportFormats.Arf, outcome.Format);
        Assert.Equal("ARF report has no Source-IP and no IP in the reported message headers", outcome.Error);
        Assert.Empty(outcome.Events);
    }

    [Fact]
    public void Feedback_report_forwarded_as_an_attachment_is_found()
    {
        var reportEvent = Assert.Single(ReportParsing.ArfSample("forwarded-arf.eml").Events);

        Assert.Equal("192.0.2.11", reportEvent.Ip);
    }

    [Fact]
    public void Plain_complaint_mail_is_not_ARF_but_a_low_confidence_free_text_complaint()
    {
        var outcome = ReportParsing.ArfSample("plain-complaint.eml");

        Assert.NotEqual(ReportFormats.Arf, outcome.Format);
        Assert.Equal("free-text", outcome.Format);
        Assert.All(outcome.Events, e => Assert.True(e.LowConfidence));
    }

    [Fact]
    public void Multipart_report_declared_as_feedback_report_without_the_report_part_fails_as_ARF()
    {
        var mail = ArfSampleMessage.With("Feedback-Type: abuse")
            .Replace("Content-Type: message/feedback-report", "Content-Type: text/plain", StringComparison.Ordinal);

        var outcome = ReportParsing.Text(mail, ReportParsing.Mail);

        Assert.True(outcome.Failed);
        Assert.Equal(ReportFormats.Arf, outcome.Format);
        Assert.Contains("no message/feedback-report part", outcome.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abuse", AbuseClass.Spam, "arf-abuse")]
    [InlineData("ABUSE", AbuseClass.Spam, "arf-abuse")]
    [InlineData("fraud", AbuseClass.Fraud, "arf-fraud")]
    [InlineData("virus", AbuseClass.Malware, "arf-virus")]
    [InlineData("other", AbuseClass.Other, "arf-other")]
    [InlineData("not-spam", AbuseClass.Other, "arf-not-spam")]
    [InlineData("auth-failure", AbuseClass.Other, "arf-auth-failure")]
    [InlineData("opt-out", AbuseClass.Other, "arf-opt-out")]
    [InlineData("something-new", AbuseClass.Other, "arf-something-new")]
    [InlineData("<script>alert(1)</script>", AbuseClass.Other, "arf-malformed")]
    public void Feedback_type_maps_to_the_taxonomy(string feedbackType, AbuseClass expected, string reportType)
    {
        var mail = ArfSampleMessage.With($"Feedback-Type: {feedbackType}\nUser-Agent: x\nVersion: 1\nSource-IP: 192.0.2.1");

        var reportEvent = Assert.Single(ReportParsing.Text(mail, ReportParsing.Mail).Events);

        Assert.Equal(expected, reportEvent.AbuseClass);
        Assert.Equal(reportType, reportEvent.ReportType);
    }

    [Fact]
    public void Missing_feedback_type_is_other_and_unspecified()
    {
        var mail = ArfSampleMessage.With("User-Agent: x\nVersion: 1\nSource-IP: 192.0.2.1");

        var reportEvent = Assert.Single(ReportParsing.Text(mail, ReportParsing.Mail).Events);

        Assert.Equal(AbuseClass.Other, reportEvent.AbuseClass);
        Assert.Equal("arf-unspecified", reportEvent.ReportType);
    }

    [Theory]
    [InlineData("::ffff:192.0.2.77", "192.0.2.77")]
    [InlineData("[192.0.2.5]", "192.0.2.5")]
    [InlineData("192.0.2.6 (mail.customer.example)", "192.0.2.6")]
    [InlineData("IPv6:2001:db8:0::1", "2001:db8::1")]
    [InlineData("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1")]
    public void Source_IP_variants_are_normalised(string sourceIp, string expected)
    {
        var mail = ArfSampleMessage.With($"Feedback-Type: abuse\nUser-Agent: x\nVersion: 1\nSource-IP: {sourceIp}");

        var reportEvent = Assert.Single(ReportParsing.Text(mail, ReportParsing.Mail).Events);

        Assert.Equal(expected, reportEvent.Ip);
    }

    [Theory]
    [InlineData("192.000.002.001")]
    [InlineData("1")]
    [InlineData("300.1.1.1")]
    [InlineData("fe80::1%eth0")]
    public void Unusable_Source_IP_falls_back_to_the_Received_headers(string sourceIp)
    {
        var mail = ArfSampleMessage.With(
            $"Feedback-Type: abuse\nUser-Agent: x\nVersion: 1\nSource-IP: {sourceIp}",
            "Received: from out.customer.example (out.customer.example [198.51.100.1]) by mx.reporter.example; Fri, 20 Nov 2026 09:00:01 +0000\nSubject: x");

        var reportEvent = Assert.Single(ReportParsing.Text(mail, ReportParsing.Mail).Events);

        Assert.Equal("198.51.100.1", reportEvent.Ip);
        Assert.True(reportEvent.LowConfidence);
    }

    [Fact]
    public void Arrival_date_falls_back_to_the_reported_message_date()
    {
        var mail = ArfSampleMessage.With("Feedback-Type: abuse\nUser-Agent: x\nVersion: 1\nSource-IP: 192.0.2.1\nArrival-Date: not a date");

        var reportEvent = Assert.Single(ReportParsing.Text(mail, ReportParsing.Mail).Events);

        Assert.Equal(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero), reportEvent.OccurredAt);
    }

    [Fact]
    public void Evidence_cannot_be_given_extra_lines_or_grow_unbounded()
    {
        // The Subject decodes to "Hi\r\nSource-IP: 6.6.6.6" followed by a very long tail.
        var injected = Convert.ToBase64String("Hi\r\nSource-IP: 6.6.6.6 "u8.ToArray());
        var longTail = new string('x', 20_000);
        var mail = ArfSampleMessage.With(
            $"Feedback-Type: abuse\nUser-Agent: {longTail}\nVersion: 1\nSource-IP: 192.0.2.1\nReported-Domain: {longTail}",
            $"From: <a@customer.example>\nSubject: =?utf-8?b?{injected}?= {longTail}");

        var evidence = Assert.Single(ReportParsing.Text(mail, ReportParsing.Mail).Events).Evidence!;

        Assert.True(evidence.Length <= ReportEvent.MaxEvidenceLength);
        Assert.DoesNotContain(evidence.Split('\n'), line => line.StartsWith("Source-IP: 6.6.6.6", StringComparison.Ordinal));
        Assert.Contains(evidence.Split('\n'), line => line.StartsWith("Subject: Hi", StringComparison.Ordinal) && line.Contains("6.6.6.6", StringComparison.Ordinal));
    }
}
