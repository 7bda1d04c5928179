using AbuseDesk.Domain.Parsing;
using AbuseDesk.Domain.Parsing.Shadowserver;

namespace AbuseDesk.Domain.Tests.Parsing.Shadowserver;

public class ShadowserverReportTypesTests
{
    [Fact]
    public void Table_covers_what_shadowserver_publishes()
    {
        Assert.True(ShadowserverReportTypes.All.Count >= 170, $"{ShadowserverReportTypes.All.Count} types");
    }

    [Fact]
    public void Every_type_has_a_defined_class_and_severity_and_a_valid_name()
    {
        Assert.All(ShadowserverReportTypes.All, type =>
        {
            Assert.True(Enum.IsDefined(type.AbuseClass), $"{type.Name}: class {type.AbuseClass}");
            Assert.True(Enum.IsDefined(type.Severity), $"{type.Name}: severity {type.Severity}");
            Assert.Matches("^[a-z][a-z0-9_]*$", type.Name);
            Assert.Equal(type.Name, ShadowserverReportName.NormalizeType(type.Name));
            Assert.True(type.PortColumn is null || type.AddressColumn is not null, $"{type.Name}: a port column without an address column");
        });
    }

    [Fact]
    public void No_type_is_listed_twice()
    {
        var duplicates = ShadowserverReportTypes.All
            .GroupBy(type => type.Name, StringComparer.OrdinalIgnoreCase)
            .Where(group => group.Count() > 1)
            .Select(group => group.Key)
            .ToList();

        Assert.True(duplicates.Count == 0, "listed twice: " + string.Join(", ", duplicates));
    }

    [Fact]
    public void Scan_reports_are_vulnerable_services_except_where_they_find_an_attacker()
    {
        var findsAttacker = new[] { "scan_synfulknock", "scan_post_exploitation_framework" };

        var scans = ShadowserverReportTypes.All.Where(t => t.Name.StartsWith("scan", StringComparison.Ordinal) && !findsAttacker.Contains(t.Name));

        Assert.All(scans, t => Assert.Equal(AbuseClass.VulnerableService, t.AbuseClass));
    }

    [Theory]
    [InlineData("scan_ssh", AbuseClass.VulnerableService, Severity.Low)]
    [InlineData("scan_http", AbuseClass.VulnerableService, Severity.Low)]
    [InlineData("scan_dns", AbuseClass.VulnerableService, Severity.Medium)]
    [InlineData("scan_memcached", AbuseClass.VulnerableService, Severity.Medium)]
    [InlineData("scan_ntpmonitor", AbuseClass.VulnerableService, Severity.Medium)]
    [InlineData("scan_rdp", AbuseClass.VulnerableService, Severity.High)]
    [InlineData("scan_smb", AbuseClass.VulnerableService, Severity.High)]
    [InlineData("scan_telnet", AbuseClass.VulnerableService, Severity.High)]
    [InlineData("scan6_telnet", AbuseClass.VulnerableService, Severity.High)]
    [InlineData("event4_sinkhole", AbuseClass.Botnet, Severity.High)]
    [InlineData("event6_sinkhole_http", AbuseClass.Botnet, Severity.High)]
    [InlineData("botnet_drone", AbuseClass.Botnet, Severity.High)]
    [InlineData("event4_honeypot_brute_force", AbuseClass.Bruteforce, Severity.High)]
    [InlineData("event4_honeypot_http_scan", AbuseClass.Scanning, Severity.Medium)]
    [InlineData("event4_honeypot_darknet", AbuseClass.Scanning, Severity.Low)]
    [InlineData("event4_ddos_participant", AbuseClass.Ddos, Severity.High)]
    [InlineData("compromised_website", AbuseClass.Malware, Severity.High)]
    [InlineData("malware_url", AbuseClass.Malware, Severity.High)]
    [InlineData("sandbox_url", AbuseClass.Malware, Severity.Medium)]
    [InlineData("phish_url", AbuseClass.Phishing, Severity.High)]
    [InlineData("spam_url", AbuseClass.Spam, Severity.Medium)]
    [InlineData("blocklist", AbuseClass.Other, Severity.Low)]
    [InlineData("population_bgp", AbuseClass.Other, Severity.Info)]
    [InlineData("device_id", AbuseClass.Other, Severity.Info)]
    public void Families_map_as_the_desk_treats_them(string name, AbuseClass abuseClass, Severity severity)
    {
        Assert.True(ShadowserverReportTypes.TryGet(name, out var type), $"{name} is missing");
        Assert.Equal(abuseClass, type.AbuseClass);
        Assert.Equal(severity, type.Severity);
    }

    [Fact]
    public void Url_reports_are_the_ones_about_hosted_urls()
    {
        var namesUrl = ShadowserverReportTypes.All.Where(t => t.NamesUrl).Select(t => t.Name).Order(StringComparer.Ordinal);

        Assert.Equal(["compromised_website", "compromised_website6", "cwsandbox_url", "malware_url", "phish_url", "sandbox_url", "spam_url"], namesUrl);
    }

    [Theory]
    [InlineData("2026-11-20-scan_ssh-asn-example.csv", "scan_ssh")]
    [InlineData("2019-10-15-scan_ldap_tcp-sample-asn.csv", "scan_ldap_tcp")]
    [InlineData("2015-01-01-sinkhole_http_drone-sample-asn.csv.zip", "sinkhole_http_drone")]
    [InlineData("2024-07-04-dns_openresolver-123-sample-asn.csv", "dns_openresolver")]
    [InlineData("2026-11-20-event4_honeypot_brute_force-asn.csv", "event4_honeypot_brute_force")]
    [InlineData("2026-11-20-scan_newservice-asn.csv", "scan_newservice")]
    [InlineData("event6_sinkhole.csv", "event6_sinkhole")]
    [InlineData("blocklist.csv", "blocklist")]
    [InlineData("some_future_type.csv", "some_future_type")]
    [InlineData("/var/reports/scan6_ssh.CSV", "scan6_ssh")]
    [InlineData("report.csv", null)]
    [InlineData("2026-11-20-bad type-asn.csv", null)]
    [InlineData("2026-11-20-.csv", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Type_is_read_from_the_file_name(string? fileName, string? expected)
    {
        Assert.Equal(expected, ShadowserverReportName.TypeFromFileName(fileName));
    }
}
