using System.Text.Json;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Domain.Parsing.Xarf;

namespace AbuseDesk.Domain.Tests.Parsing.Xarf;

public class XarfV4ParsingTests
{
    private const string Spam = "v4-messaging-spam.json";

    [Theory]
    [InlineData(Spam, "192.0.2.44", null, 25, AbuseClass.Spam, Severity.Medium, "xarf-messaging-spam")]
    [InlineData("v4-content-phishing-host.json", null, "https://secure-login.example.net/account/verify?session=1", null, AbuseClass.Phishing, Severity.High, "xarf-content-phishing")]
    [InlineData("v4-connection-login-attack-ipv6.json", "2001:db8::25", null, 51022, AbuseClass.Bruteforce, Severity.High, "xarf-connection-login_attack")]
    [InlineData("v4-infrastructure-botnet.json", "198.51.100.77", null, 49152, AbuseClass.Botnet, Severity.High, "xarf-infrastructure-botnet")]
    [InlineData("v4-vulnerability-open-service.json", "203.0.113.50", null, 11211, AbuseClass.VulnerableService, Severity.Low, "xarf-vulnerability-open_service")]
    [InlineData("v4-reputation-threat-intelligence.json", "198.51.100.200", null, null, AbuseClass.Botnet, Severity.Low, "xarf-reputation-threat_intelligence")]
    [InlineData("v4-copyright-p2p.json", "198.51.100.120", null, 6881, AbuseClass.Copyright, Severity.Medium, "xarf-copyright-p2p")]
    public void A_v4_report_yields_one_event_for_its_source(
        string file, string? ip, string? url, int? port, AbuseClass abuseClass, Severity severity, string reportType)
    {
        var outcome = XarfSampleFiles.Parse(file);

        Assert.Null(outcome.Error);
        Assert.Equal(XarfFormats.V4, outcome.Format);
        var e = Assert.Single(outcome.Events);
        Assert.Equal(ip, e.Ip);
        Assert.Equal(url, e.Url);
        Assert.Equal(port, e.Port);
        Assert.Equal(abuseClass, e.AbuseClass);
        Assert.Equal(severity, e.Severity);
        Assert.Equal(reportType, e.ReportType);
        Assert.False(e.LowConfidence);
    }

    [Fact]
    public void The_timestamp_with_an_offset_or_fraction_becomes_utc()
    {
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 8, 30, 12, TimeSpan.Zero), XarfSampleFiles.Parse("v4-content-phishing-host.json").Events[0].OccurredAt);
        Assert.Equal(
            new DateTimeOffset(2026, 3, 1, 23, 59, 59, 250, TimeSpan.Zero),
            XarfSampleFiles.Parse("v4-connection-login-attack-ipv6.json").Events[0].OccurredAt);
    }

    [Fact]
    public void Evidence_names_reporter_and_fields_but_neither_decodes_attachments_nor_shows_the_recipient()
    {
        var evidence = XarfSampleFiles.Parse(Spam).Events[0].Evidence!;
        var payload = JsonDocument.Parse(XarfSampleFiles.Text(Spam)).RootElement.GetProperty("evidence")[0].GetProperty("payload").GetString()!;

        Assert.Contains("Report: XARF v4 messaging/spam", evidence, StringComparison.Ordinal);
        Assert.Contains("Reporter: Example Spamtrap Network (spamtrap.example)", evidence, StringComparison.Ordinal);
        Assert.Contains("smtp_from: offers@sender.example", evidence, StringComparison.Ordinal);
        Assert.Contains("Evidence 1: message/rfc822, about ", evidence, StringComparison.Ordinal);
        Assert.Contains("The spam as the trap received it", evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("trap-7@spamtrap.example", evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-MARKER", evidence, StringComparison.Ordinal);
        Assert.DoesNotContain(payload[..20], evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("Sender:", evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sender_other_than_the_reporter_is_named()
    {
        var evidence = XarfSampleFiles.Parse("v4-content-phishing-host.json").Events[0].Evidence!;

        Assert.Contains("Sender: Example Takedown Relay (relay.example)", evidence, StringComparison.Ordinal);
        Assert.Contains("Evidence 1: text/html, about 50 bytes, Page source", evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_source_without_a_url_on_that_host_yields_the_host()
    {
        var json = XarfSampleFiles.Variant("v4-content-phishing-host.json", "url", "\"https://elsewhere.example.org/x\"");

        var e = Assert.Single(XarfSampleFiles.ParseJson(json).Events);

        Assert.Equal("secure-login.example.net", e.Url);
        Assert.Null(e.Ip);
    }

    [Fact]
    public void A_url_as_source_identifier_is_taken_as_the_url()
    {
        var json = XarfSampleFiles.Variant("v4-content-phishing-host.json", "source_identifier", "\"https://secure-login.example.net/a\"");

        Assert.Equal("https://secure-login.example.net/a", Assert.Single(XarfSampleFiles.ParseJson(json).Events).Url);
    }

    [Fact]
    public void An_ip_source_keeps_the_content_url_beside_it()
    {
        var json = XarfSampleFiles.Variant("v4-content-phishing-host.json", "source_identifier", "\"203.0.113.45\"");

        var e = Assert.Single(XarfSampleFiles.ParseJson(json).Events);

        Assert.Equal("203.0.113.45", e.Ip);
        Assert.Equal("https://secure-login.example.net/account/verify?session=1", e.Url);
    }

    [Fact]
    public void A_type_the_spec_does_not_list_is_read_with_its_category_meaning()
    {
        var json = XarfSampleFiles.Variant(Spam, "type", "\"sms_flood\"");

        var e = Assert.Single(XarfSampleFiles.ParseJson(json).Events);

        Assert.Equal(AbuseClass.Spam, e.AbuseClass);
        Assert.Equal("xarf-messaging-sms_flood", e.ReportType);
    }

    [Fact]
    public void A_report_without_sender_is_accepted()
    {
        var json = XarfSampleFiles.Variant(Spam, "sender", XarfSampleFiles.Remove);

        Assert.Null(XarfSampleFiles.ParseJson(json).Error);
    }

    [Theory]
    [InlineData("report_id", XarfSampleFiles.Remove, "report_id: missing")]
    [InlineData("xarf_version", "\"5.0.0\"", "xarf_version: '5.0.0' is not a XARF v4 version (4.x.y)")]
    [InlineData("xarf_version", "4", "xarf_version: expected a string, got a number")]
    [InlineData("timestamp", "\"2026-03-02 08:15\"", "timestamp: '2026-03-02 08:15' is not an RFC 3339 date-time")]
    [InlineData("timestamp", "\"2026-03-02T08:15:00\"", "timestamp: '2026-03-02T08:15:00' is not an RFC 3339 date-time")]
    [InlineData("reporter", XarfSampleFiles.Remove, "reporter: missing")]
    [InlineData("reporter", "\"Spamtrap\"", "reporter: expected an object, got a string")]
    [InlineData("reporter.contact", "\"nobody\"", "reporter.contact: 'nobody' is not an email address")]
    [InlineData("reporter.domain", XarfSampleFiles.Remove, "reporter.domain: missing")]
    [InlineData("reporter.phone", "\"+1 555 0100\"", "reporter.phone: not allowed here")]
    [InlineData("sender.domain", "\"not a domain\"", "sender.domain: 'not a domain' is not a host name")]
    [InlineData("source_identifier", "\"999.1.1.1\"", "source_identifier: '999.1.1.1' is not an IP address")]
    [InlineData("source_identifier", "\"192.0.2.1/24\"", "source_identifier: '192.0.2.1/24' is neither an IP address, a host name nor a URL")]
    [InlineData("source_identifier", "12345", "source_identifier: expected a string, got a number")]
    [InlineData("source_identifier", XarfSampleFiles.Remove, "source_identifier: missing")]
    [InlineData("source_port", "0", "source_port: 0 is out of range (1-65535)")]
    [InlineData("source_port", "\"25\"", "source_port: expected an integer, got a string")]
    [InlineData("category", "\"email\"", "category: 'email' is not one of messaging, content, copyright, connection, vulnerability, infrastructure, reputation")]
    [InlineData("type", "\"Spam!\"", "type: 'Spam!' is not a XARF type name")]
    [InlineData("protocol", XarfSampleFiles.Remove, "protocol: missing (required for messaging/spam)")]
    [InlineData("smtp_from", XarfSampleFiles.Remove, "smtp_from: missing (required for messaging/spam when protocol is smtp)")]
    [InlineData("smtp_from", "\"offers-at-sender.example\"", "smtp_from: 'offers-at-sender.example' is not an email address")]
    [InlineData("evidence", "{}", "evidence: expected an array, got an object")]
    [InlineData("evidence[0].payload", "5", "evidence[0].payload: expected a string, got a number")]
    [InlineData("evidence[0].content_type", XarfSampleFiles.Remove, "evidence[0].content_type: missing")]
    [InlineData("evidence[0].hash", "\"crc32:abcd\"", "evidence[0].hash: 'crc32:abcd' is not algorithm:hex")]
    [InlineData("evidence[0].note", "\"x\"", "evidence[0].note: not allowed here")]
    [InlineData("evidence[0].size", "6000000", "evidence[0].size: 6000000 is out of range (0-5242880)")]
    [InlineData("confidence", "1.5", "confidence: 1.5 is out of range (0-1)")]
    public void An_invalid_v4_report_is_rejected_naming_the_field(string path, string value, string reason)
    {
        var outcome = XarfSampleFiles.ParseJson(XarfSampleFiles.Variant(Spam, path, value));

        Assert.True(outcome.Failed);
        Assert.Equal(XarfFormats.V4, outcome.Format);
        Assert.StartsWith("xarf v4: ", outcome.Error, StringComparison.Ordinal);
        Assert.Contains(reason, outcome.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v4-content-phishing-host.json", "url", "url: missing (required for content/phishing)")]
    [InlineData("v4-content-phishing-host.json", "source_identifier", "source_identifier: missing")]
    [InlineData("v4-connection-login-attack-ipv6.json", "first_seen", "first_seen: missing (required for connection/login_attack)")]
    [InlineData("v4-vulnerability-open-service.json", "service", "service: missing (required for vulnerability/open_service)")]
    [InlineData("v4-reputation-threat-intelligence.json", "threat_type", "threat_type: missing (required for reputation/threat_intelligence)")]
    [InlineData("v4-copyright-p2p.json", "swarm_info", "swarm_info: missing (required for copyright/p2p)")]
    [InlineData("v4-infrastructure-botnet.json", "compromise_evidence", "compromise_evidence: missing (required for infrastructure/botnet)")]
    public void Each_type_requires_its_own_fields(string file, string field, string reason)
    {
        var outcome = XarfSampleFiles.ParseJson(XarfSampleFiles.Variant(file, field, XarfSampleFiles.Remove));

        Assert.Contains(reason, outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_v4_0_draft_field_class_is_named_in_the_reason()
    {
        var json = XarfSampleFiles.Change(XarfSampleFiles.Variant(Spam, "category", XarfSampleFiles.Remove), "class", "\"messaging\"");

        Assert.Contains("category: missing (4.0 drafts called it 'class'", XarfSampleFiles.ParseJson(json).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicated_field_is_rejected()
    {
        var json = XarfSampleFiles.Text(Spam).Replace("\"source_port\": 25", "\"source_identifier\": \"198.51.100.1\", \"source_port\": 25", StringComparison.Ordinal);

        Assert.Contains("xarf v4: source_identifier: appears twice", XarfSampleFiles.ParseJson(json).Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"events\": []}")]
    [InlineData("{\"Version\": \"1.0\", \"name\": \"something else\"}")]
    [InlineData("[1, 2, 3]")]
    [InlineData("\"xarf_version\"")]
    public void Json_that_is_not_xarf_is_left_to_other_readers(string json)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Null(XarfJson.TryRead(document.RootElement));
    }
}
