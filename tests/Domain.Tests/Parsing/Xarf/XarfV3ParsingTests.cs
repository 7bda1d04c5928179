using AbuseDesk.Domain.Parsing;
using AbuseDesk.Domain.Parsing.Xarf;

namespace AbuseDesk.Domain.Tests.Parsing.Xarf;

public class XarfV3ParsingTests
{
    private const string LoginAttack = "v3-loginattack.json";
    private const string CompromisedAccount = "v3-compromised-account.json";

    [Theory]
    [InlineData(LoginAttack, "198.51.100.23", null, 40522, AbuseClass.Bruteforce, Severity.High, "xarf-v3-loginattack")]
    [InlineData("v3-phishing.json", "203.0.113.60", "https://bank-login.example.org/verify", 443, AbuseClass.Phishing, Severity.High, "xarf-v3-phishing")]
    [InlineData("v3-harassment-url.json", null, "https://forum.example.com/thread/42#post-7", null, AbuseClass.Other, Severity.Medium, "xarf-v3-harassment")]
    [InlineData(CompromisedAccount, "192.0.2.80", null, 993, AbuseClass.Other, Severity.Medium, "xarf-v3-potentiallycompromisedaccount")]
    [InlineData("v3-rpz-ipv6.json", "2001:db8:1::53", null, 53124, AbuseClass.Malware, Severity.Medium, "xarf-v3-malware-rpz")]
    public void A_v3_report_yields_one_event_for_its_subject(
        string file, string? ip, string? url, int? port, AbuseClass abuseClass, Severity severity, string reportType)
    {
        var outcome = XarfSampleFiles.Parse(file);

        Assert.Null(outcome.Error);
        Assert.Equal(XarfFormats.V3, outcome.Format);
        var e = Assert.Single(outcome.Events);
        Assert.Equal(ip, e.Ip);
        Assert.Equal(url, e.Url);
        Assert.Equal(port, e.Port);
        Assert.Equal(abuseClass, e.AbuseClass);
        Assert.Equal(severity, e.Severity);
        Assert.Equal(reportType, e.ReportType);
    }

    [Fact]
    public void Date_is_when_the_event_occurred_in_utc()
    {
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero), XarfSampleFiles.Parse("v3-phishing.json").Events[0].OccurredAt);
    }

    [Fact]
    public void Evidence_quotes_plain_text_samples_and_the_reporters_organisation()
    {
        var evidence = XarfSampleFiles.Parse(LoginAttack).Events[0].Evidence!;

        Assert.Contains("Report: XARF v3 Activity/LoginAttack", evidence, StringComparison.Ordinal);
        Assert.Contains("Reporter: Example Honeynet (honeynet.example)", evidence, StringComparison.Ordinal);
        Assert.Contains("Destination: 203.0.113.8 port 22", evidence, StringComparison.Ordinal);
        Assert.Contains("Sample 1 text: Mar 1 10:04:05 hp sshd[811]: Failed password for root from 198.51.100.23", evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("Night Shift", evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("+1 555", evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Base64_samples_are_described_never_decoded()
    {
        var evidence = XarfSampleFiles.Parse("v3-phishing.json").Events[0].Evidence!;

        Assert.Contains("Sample 1: image/png, about ", evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-MARKER", evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("U0VDUkVU", evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void A_private_person_reporting_is_not_named_in_the_evidence()
    {
        var evidence = XarfSampleFiles.Parse("v3-harassment-url.json").Events[0].Evidence!;

        Assert.Contains("Reporter: a private person", evidence, StringComparison.Ordinal);
        Assert.Contains("Harasser: troll_account_42", evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("Jane", evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("jane.private", evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void A_compromised_account_report_names_the_account_and_the_attacker()
    {
        var evidence = XarfSampleFiles.Parse(CompromisedAccount).Events[0].Evidence!;

        Assert.Contains("AccountIdentifier: jdoe", evidence, StringComparison.Ordinal);
        Assert.Contains("AttackerIp: 198.51.100.201", evidence, StringComparison.Ordinal);
    }

    [Theory]
    // Envelope and reporter.
    [InlineData(LoginAttack, "Version", "3", "Version: expected the string \"3\", got a number")]
    [InlineData(LoginAttack, "Disclosure", XarfSampleFiles.Remove, "Disclosure: missing")]
    [InlineData(LoginAttack, "Disclosure", "\"yes\"", "Disclosure: expected true or false, got a string")]
    [InlineData(LoginAttack, "ReporterInfo", XarfSampleFiles.Remove, "ReporterInfo: missing")]
    [InlineData(LoginAttack, "ReporterInfo.ReporterOrgEmail", XarfSampleFiles.Remove, "ReporterInfo.ReporterOrgEmail: missing")]
    [InlineData(LoginAttack, "ReporterInfo.ReporterOrgEmail", "\"reports.honeynet.example\"", "ReporterInfo.ReporterOrgEmail: 'reports.honeynet.example' is not an email address")]
    [InlineData(LoginAttack, "ReporterInfo.ReporterOrg", "\"HN\"", "ReporterInfo.ReporterOrg: 'HN' is shorter than 3 characters")]
    [InlineData(LoginAttack, "ReporterInfo.ReporterOrgDomain", "\"honey net\"", "ReporterInfo.ReporterOrgDomain: 'honey net' is not a host name")]
    [InlineData(LoginAttack, "ReporterInfo.ReporterType", "\"Robot\"", "ReporterInfo.ReporterType: 'Robot' is not one of Org, Person")]
    [InlineData(LoginAttack, "ReporterInfo.Department", "\"SOC\"", "ReporterInfo.Department: not allowed here")]
    [InlineData(LoginAttack, "OnBehalfOf", "{\"ComplainantOrg\": \"Example Victim\"}", "OnBehalfOf.ComplainantOrgDomain: missing")]
    [InlineData(LoginAttack, "InternalProcessing", "{\"EventTags\": [\"ssh\", 7]}", "InternalProcessing.EventTags[1]: expected a string, got a number")]
    [InlineData(LoginAttack, "Report", XarfSampleFiles.Remove, "Report: missing")]
    // Class and type.
    [InlineData(LoginAttack, "Report.ReportClass", "\"Content\"", "Report.ReportClass: 'Content' does not go with ReportType 'LoginAttack' (expected Activity)")]
    [InlineData(LoginAttack, "Report.ReportClass", "\"Noise\"", "Report.ReportClass: 'Noise' is not one of Content, Activity, Vulnerability")]
    [InlineData(LoginAttack, "Report.ReportType", "\"BruteForce\"", "Report.ReportType: 'BruteForce' is not a XARF v3 report type")]
    [InlineData(LoginAttack, "Report.ReportType", "\"\"", "Report.ReportType: empty")]
    [InlineData(LoginAttack, "Report.ReporterSeverity", "\"urgent\"", "Report.ReporterSeverity: 'urgent' is not one of low, medium, high")]
    [InlineData(LoginAttack, "Report.ReporterCaseID", "17", "Report.ReporterCaseID: expected a string, got a number")]
    // Addresses, ports, dates.
    [InlineData(LoginAttack, "Report.SourceIp", "\"999.1.1.1\"", "Report.SourceIp: '999.1.1.1' is not an IP address")]
    [InlineData(LoginAttack, "Report.SourceIp", "\"198.051.100.23\"", "Report.SourceIp: '198.051.100.23' is not an IP address")]
    [InlineData(LoginAttack, "Report.SourceIp", "45", "Report.SourceIp: expected a string, got a number")]
    [InlineData(LoginAttack, "Report.SourceIp", XarfSampleFiles.Remove, "Report.SourceIp: missing")]
    [InlineData(LoginAttack, "Report.SourcePort", "70000", "Report.SourcePort: 70000 is out of range (0-65535)")]
    [InlineData(LoginAttack, "Report.SourcePort", "\"22\"", "Report.SourcePort: expected an integer, got a string")]
    [InlineData(LoginAttack, "Report.DestinationIp", "\"203.0.113\"", "Report.DestinationIp: '203.0.113' is not an IP address")]
    [InlineData(LoginAttack, "Report.DestinationPort", "[22, -1]", "Report.DestinationPort[1]: -1 is out of range (0-65535)")]
    [InlineData(LoginAttack, "Report.ASN", "0", "Report.ASN: 0 is out of range (1-4199999999)")]
    [InlineData(LoginAttack, "Report.Date", "\"yesterday\"", "Report.Date: 'yesterday' is not an RFC 3339 date-time")]
    [InlineData(LoginAttack, "Report.Date", "\"2026-03-01T10:04:05\"", "Report.Date: '2026-03-01T10:04:05' is not an RFC 3339 date-time")]
    [InlineData(LoginAttack, "Report.Date", XarfSampleFiles.Remove, "Report.Date: missing")]
    [InlineData(LoginAttack, "Report.FirstSeen", "\"01.03.2026\"", "Report.FirstSeen: '01.03.2026' is not an RFC 3339 date-time")]
    // Counters, flags, samples, custom fields.
    [InlineData(LoginAttack, "Report.ByteCount", "1.5", "Report.ByteCount: 1.5 is not an integer")]
    [InlineData(LoginAttack, "Report.Ongoing", "\"yes\"", "Report.Ongoing: expected true or false, got a string")]
    [InlineData(LoginAttack, "Report.Samples", "[]", "Report.Samples: 0 items, at least 1 expected")]
    [InlineData(LoginAttack, "Report.Samples", "{}", "Report.Samples: expected an array, got an object")]
    [InlineData(LoginAttack, "Report.Samples[0].Base64Encoded", "\"no\"", "Report.Samples[0].Base64Encoded: expected true or false, got a string")]
    [InlineData(LoginAttack, "Report.Samples[0].Payload", XarfSampleFiles.Remove, "Report.Samples[0].Payload: missing")]
    [InlineData(LoginAttack, "Report.Custom.Attempts", "[57]", "Report.Custom.Attempts: expected a string or an integer, got an array")]
    // Account-based reports.
    [InlineData(CompromisedAccount, "Report.Account", XarfSampleFiles.Remove, "Report.Account: missing")]
    [InlineData(CompromisedAccount, "Report.Account", "{}", "Report.Account: empty")]
    [InlineData(CompromisedAccount, "Report.Account.AccountIdentifier", "\"jdoe@customer-mail.example\"", "Report.Account.AccountIdentifier: 'jdoe@customer-mail.example' is an email address, which belongs in AccountEmail")]
    [InlineData(CompromisedAccount, "Report.Account.AccountIdentifier", "42", "Report.Account.AccountIdentifier: expected a string, got a number")]
    [InlineData(CompromisedAccount, "Report.SourceIp", "\"198.51.100.201\"", "Report.SourceIp: not allowed in a PotentiallyCompromisedAccount report")]
    [InlineData(CompromisedAccount, "Report.SourceUrl", "\"https://evil.example/\"", "Report.SourceUrl: not allowed in a PotentiallyCompromisedAccount report")]
    [InlineData(CompromisedAccount, "Report.PasswordHash.HashAlgorithm", "\"rot13\"", "Report.PasswordHash.HashAlgorithm: 'rot13' is not one of sha1")]
    [InlineData(CompromisedAccount, "Report.DestinationIp", XarfSampleFiles.Remove, "Report.DestinationIp: missing (the account's host")]
    // Type-specific fields.
    [InlineData("v3-phishing.json", "Report.SourceUrl", XarfSampleFiles.Remove, "Report.SourceUrl: missing")]
    [InlineData("v3-phishing.json", "Report.SourceUrl", "\"bank-login.example.org/verify\"", "Report.SourceUrl: 'bank-login.example.org/verify' is not an absolute URI")]
    [InlineData("v3-harassment-url.json", "Report.Harasser", XarfSampleFiles.Remove, "Report.Harasser: missing")]
    [InlineData("v3-harassment-url.json", "Report.HarassmentType", "\"rude\"", "Report.HarassmentType: 'rude' is not one of doxing")]
    [InlineData("v3-harassment-url.json", "Report.SourceUrl", XarfSampleFiles.Remove, "Report.SourceIp: missing (a report of this type needs SourceIp or SourceUrl)")]
    [InlineData("v3-rpz-ipv6.json", "Report.RpzDomain", "\"not a domain\"", "Report.RpzDomain: 'not a domain' is not a host name")]
    [InlineData("v3-rpz-ipv6.json", "Report.ReportSubType", XarfSampleFiles.Remove, "Report.ReportSubType: an Activity/Malware report is an RPZ rewrite")]
    public void An_invalid_v3_report_is_rejected_naming_the_field(string file, string path, string value, string reason)
    {
        var outcome = XarfSampleFiles.ParseJson(XarfSampleFiles.Variant(file, path, value));

        Assert.True(outcome.Failed, $"accepted: {path} = {value}");
        Assert.Equal(XarfFormats.V3, outcome.Format);
        Assert.StartsWith("xarf v3: ", outcome.Error, StringComparison.Ordinal);
        Assert.Contains(reason, outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_natural_person_needs_no_organisation()
    {
        var json = XarfSampleFiles.Variant(LoginAttack, "ReporterInfo", "{\"ReporterType\": \"Person\", \"ReporterContactName\": \"Pat\"}");

        Assert.Null(XarfSampleFiles.ParseJson(json).Error);
    }

    [Fact]
    public void A_sample_describing_a_file_needs_no_content()
    {
        var json = XarfSampleFiles.Variant(LoginAttack, "Report.Samples[0]", "{\"FileName\": \"auth.log\", \"FileSize\": 2048}");

        Assert.Null(XarfSampleFiles.ParseJson(json).Error);
    }

    [Fact]
    public void The_cvss_vector_must_match_its_version()
    {
        var exploit = XarfSampleFiles.Change(
            XarfSampleFiles.Variant(LoginAttack, "Report.ReportType", "\"Exploit\""),
            "Report.CVSS",
            "{\"Version\": \"3.1\", \"Score\": 9.8, \"Vector\": \"AV:N/AC:L/Au:N/C:C/I:C/A:C\"}");

        Assert.Contains("Report.CVSS.Vector: 'AV:N/AC:L/Au:N/C:C/I:C/A:C' is not a CVSS 3.1 vector", XarfSampleFiles.ParseJson(exploit).Error, StringComparison.Ordinal);
        var v2 = XarfSampleFiles.Change(exploit, "Report.CVSS.Version", "\"2\"");
        Assert.Null(XarfSampleFiles.ParseJson(v2).Error);
    }

    [Theory]
    [InlineData("\"2\"")]
    [InlineData("\"4\"")]
    public void Other_versions_are_not_claimed_as_xarf(string version)
    {
        using var document = System.Text.Json.JsonDocument.Parse(XarfSampleFiles.Variant(LoginAttack, "Version", version));

        Assert.Null(XarfJson.TryRead(document.RootElement));
    }

    [Fact]
    public void An_empty_v3_document_lists_what_is_missing()
    {
        var outcome = XarfSampleFiles.ParseJson("{\"Version\": \"3\"}");

        Assert.Equal("xarf v3: Disclosure: missing; ReporterInfo: missing; Report: missing", outcome.Error);
    }
}
