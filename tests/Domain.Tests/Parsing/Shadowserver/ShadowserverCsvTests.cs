using System.Text;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Domain.Parsing.Shadowserver;

namespace AbuseDesk.Domain.Tests.Parsing.Shadowserver;

public class ShadowserverCsvTests
{
    [Fact]
    public void Scan_report_yields_one_event_per_row_with_address_port_time_class_and_evidence()
    {
        var outcome = ShadowserverSamples.Parse("2026-11-20-scan_ssh-asn-example.csv");

        Assert.False(outcome.Failed, outcome.Error);
        Assert.Equal("shadowserver", outcome.Format);
        Assert.Equal(["192.0.2.10", "192.0.2.11", "198.51.100.7"], outcome.Events.Select(e => e.Ip));
        Assert.Equal([22, 2222, 22], outcome.Events.Select(e => e.Port));
        Assert.All(outcome.Events, e =>
        {
            Assert.Equal("scan_ssh", e.ReportType);
            Assert.Equal(AbuseClass.VulnerableService, e.AbuseClass);
            Assert.Equal(Severity.Low, e.Severity);
            Assert.False(e.LowConfidence);
            Assert.Null(e.Url);
        });
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 1, 2, 3, TimeSpan.Zero), outcome.Events[0].OccurredAt);
        Assert.Equal(TimeSpan.Zero, outcome.Events[0].OccurredAt!.Value.Offset);

        var evidence = outcome.Events[0].Evidence!;
        Assert.StartsWith("timestamp=2026-11-20 01:02:03; ip=192.0.2.10; protocol=tcp; port=22; hostname=host-10.example.net;", evidence, StringComparison.Ordinal);
        Assert.Contains("sector=Communications, Service Provider, and Hosting Service;", evidence, StringComparison.Ordinal);
        Assert.Contains("server_cipher=aes128-ctr,aes256-gcm@openssh.com;", evidence, StringComparison.Ordinal);
        Assert.EndsWith("auth_methods=publickey,password", evidence, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', evidence);

        // Empty columns are left out of the excerpt.
        Assert.DoesNotContain("hostname=", outcome.Events[1].Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("region=", outcome.Events[2].Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Event_report_reads_src_ip_and_src_port()
    {
        var outcome = ShadowserverSamples.Parse("event4_honeypot_brute_force.csv");

        Assert.False(outcome.Failed, outcome.Error);
        Assert.Equal(["203.0.113.5", "203.0.113.6"], outcome.Events.Select(e => e.Ip));
        Assert.Equal([40122, 51000], outcome.Events.Select(e => e.Port));
        Assert.All(outcome.Events, e => Assert.Equal(AbuseClass.Bruteforce, e.AbuseClass));
        Assert.All(outcome.Events, e => Assert.Equal("event4_honeypot_brute_force", e.ReportType));

        // The payload URL is what the attacker fetched, not the reported resource.
        Assert.All(outcome.Events, e => Assert.Null(e.Url));
    }

    [Fact]
    public void Ipv6_scan_addresses_are_normalised()
    {
        var outcome = ShadowserverSamples.Parse("scan6_ssh.csv");

        Assert.False(outcome.Failed, outcome.Error);
        Assert.Equal(["2001:db8::1", "2001:db8:0:1::ff", "192.0.2.44"], outcome.Events.Select(e => e.Ip));
        Assert.All(outcome.Events, e => Assert.Equal("scan6_ssh", e.ReportType));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero), outcome.Events[0].OccurredAt);
    }

    [Theory]
    [InlineData("2026-11-20-scan_ssh-asn-example.csv", null, "scan_ssh")]
    [InlineData("2019-10-15-scan_ldap_tcp-sample-asn.csv", null, "scan_ldap_tcp")]
    [InlineData("2015-01-01-scan_ipmi-sample-asn.csv.zip", null, "scan_ipmi")]
    [InlineData("2020-04-03-event4_honeypot_brute_force-sample-asn-delayed.csv", null, "event4_honeypot_brute_force")]
    [InlineData("scan_rdp.csv", null, "scan_rdp")]
    [InlineData("C:\\reports\\SCAN_RDP.CSV", null, "scan_rdp")]
    [InlineData("upload.csv", "scan_vnc", "scan_vnc")]
    [InlineData("2026-11-20-scan_ssh-asn-example.csv", "scan_telnet", "scan_telnet")]
    [InlineData(null, " Scan_Redis ", "scan_redis")]
    public void Type_comes_from_the_hint_else_the_file_name(string? fileName, string? hint, string expected)
    {
        var (events, _, error) = ShadowserverSamples.Read("timestamp,ip\n2026-11-20 00:00:00,192.0.2.1\n", fileName, hint);

        Assert.Null(error);
        Assert.Equal(expected, Assert.Single(events).ReportType);
        Assert.True(ShadowserverReportTypes.TryGet(expected, out var type));
        Assert.Equal(type.AbuseClass, events[0].AbuseClass);
        Assert.Equal(type.Severity, events[0].Severity);
    }

    [Fact]
    public void Unknown_type_still_yields_events_of_class_other_with_a_note()
    {
        var (events, notes, error) = ShadowserverSamples.ReadSample("2026-11-20-scan_futureservice-asn-example.csv");

        Assert.Null(error);
        var only = Assert.Single(events);
        Assert.Equal("192.0.2.30", only.Ip);
        Assert.Equal("scan_futureservice", only.ReportType);
        Assert.Equal(AbuseClass.Other, only.AbuseClass);
        Assert.Contains("unknown Shadowserver report type 'scan_futureservice'", notes.Items);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("upload.csv", null)]
    [InlineData("report", "not a type!")]
    public void Absent_type_yields_events_of_class_other_with_a_note(string? fileName, string? hint)
    {
        var (events, notes, error) = ShadowserverSamples.Read("timestamp,ip\n2026-11-20 00:00:00,192.0.2.1\n", fileName, hint);

        Assert.Null(error);
        var only = Assert.Single(events);
        Assert.Equal(ShadowserverCsv.UnknownType, only.ReportType);
        Assert.Equal(AbuseClass.Other, only.AbuseClass);
        Assert.Contains(notes.Items, note => note.StartsWith("no Shadowserver report type", StringComparison.Ordinal));
    }

    [Fact]
    public void Rows_without_a_usable_address_are_skipped_with_notes_and_never_fail_the_report()
    {
        var (events, notes, error) = ShadowserverSamples.ReadSample("bad-rows.csv", hint: "scan_rdp");

        Assert.Null(error);
        Assert.Equal(["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"], events.Select(e => e.Ip));
        Assert.Equal(5, notes.Skipped);
        Assert.Contains("row 2: '999.0.2.1' is not an IP address, skipped", notes.Items);
        Assert.Contains("row 3: no IP address, skipped", notes.Items);
        Assert.Contains("row 4: '198.51.100.0/24' is not an IP address, skipped", notes.Items);
        Assert.Contains("row 5: '192.0.2.010' is not an IP address, skipped", notes.Items);
        Assert.Contains("row 6: 'not-an-ip' is not an IP address, skipped", notes.Items);

        // A port out of range is dropped, not guessed; a short row reads as empty trailing fields;
        // fields past the header are ignored.
        Assert.Null(events[1].Port);
        Assert.Null(events[2].Port);
        Assert.Equal("timestamp=2026-11-20 10:00:07; ip=192.0.2.3", events[2].Evidence);
        Assert.Equal(3389, events[3].Port);
        Assert.DoesNotContain("extra", events[3].Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Quoted_fields_keep_commas_quotes_and_line_breaks_and_evidence_stays_one_line()
    {
        var (events, notes, error) = ShadowserverSamples.ReadSample("quoted-fields.csv", hint: "scan_http");

        Assert.Null(error);
        Assert.Equal(0, notes.Skipped);
        Assert.Equal(["192.0.2.20", "192.0.2.21", "192.0.2.22"], events.Select(e => e.Ip));
        Assert.Contains("http_reason=OK, fine; server=Apache, \"patched\"", events[0].Evidence, StringComparison.Ordinal);
        Assert.Contains("http_reason=multi line reason; server=nginx", events[1].Evidence, StringComparison.Ordinal);
        Assert.All(events, e => Assert.DoesNotContain('\n', e.Evidence!));
        Assert.All(events, e => Assert.DoesNotContain('\r', e.Evidence!));
    }

    [Fact]
    public void Byte_order_mark_and_crlf_line_ends_are_read()
    {
        var bytes = File.ReadAllBytes(ShadowserverSamples.Path("2026-11-20-scan_snmp-asn-bom-crlf.csv"));
        Assert.True(bytes.AsSpan().StartsWith("\uFEFF"u8.ToArray()), "the sample must start with a UTF-8 byte order mark");
        Assert.Contains("\r\n", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);

        var outcome = ShadowserverSamples.Parse("2026-11-20-scan_snmp-asn-bom-crlf.csv");

        Assert.False(outcome.Failed, outcome.Error);
        Assert.Equal(["192.0.2.90", "192.0.2.91"], outcome.Events.Select(e => e.Ip));
        Assert.Equal([161, 161], outcome.Events.Select(e => e.Port));
        Assert.All(outcome.Events, e => Assert.Equal("scan_snmp", e.ReportType));
        Assert.EndsWith("tag=snmp", outcome.Events[1].Evidence, StringComparison.Ordinal);
        Assert.NotNull(outcome.Events[0].OccurredAt);
    }

    [Fact]
    public void Utf16_with_byte_order_mark_is_read()
    {
        var text = "timestamp,ip,tag\r\n2026-11-20 00:00:00,192.0.2.5,ü\r\n";
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(text)).ToArray();

        var (events, _, error) = ShadowserverSamples.Read(bytes, "scan_ssh.csv");

        Assert.Null(error);
        Assert.Equal("192.0.2.5", Assert.Single(events).Ip);
        Assert.EndsWith("tag=ü", events[0].Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void A_csv_without_a_header_fails_naming_the_columns_it_found()
    {
        var outcome = ShadowserverSamples.Parse("no-header.csv", hint: "scan_ssh");

        Assert.True(outcome.Failed);
        Assert.Equal("shadowserver", outcome.Format);
        Assert.Equal("no ip, src_ip or url column in the header; columns found: '2026-11-20 00:00:00', '192.0.2.40', '22', 'ssh'", outcome.Error);
    }

    [Fact]
    public void A_header_without_address_columns_fails_naming_them()
    {
        var (_, _, error) = ShadowserverSamples.Read("timestamp,hostname,tag\n2026-11-20 00:00:00,a.example,x\n", "scan_ssh.csv");

        Assert.Equal("no ip, src_ip or url column in the header; columns found: 'timestamp', 'hostname', 'tag'", error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\r\n\n")]
    public void An_empty_report_fails(string text)
    {
        var (_, _, error) = ShadowserverSamples.Read(text, "scan_ssh.csv");

        Assert.Equal("the report is empty: no header row", error);
    }

    [Fact]
    public void Header_only_report_is_rejected_as_empty()
    {
        var outcome = ReportParsing.Text("timestamp,ip,port\n", "text/csv");

        Assert.True(outcome.Failed);
        Assert.Equal("shadowserver", outcome.Format);
        Assert.Equal("the report has a header but no data rows", outcome.Error);
    }

    [Fact]
    public void Report_whose_rows_all_lack_an_address_is_rejected_with_the_first_reason()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("timestamp,ip\n2026-11-20 00:00:00,999.1.1.1\n2026-11-20 00:00:00,\n"));
        using var reading = ReportParser.Open(stream, new ReportInput("text/csv", "scan_ssh.csv"));

        var rejected = Assert.Throws<ReportRejectedException>(() => reading.Events.ToList());

        Assert.Equal("none of the report's 2 rows has a usable IP address or URL (first: row 1: '999.1.1.1' is not an IP address, skipped)", rejected.Message);
        Assert.Equal(2, reading.Notes.Skipped);
    }

    [Fact]
    public void Referer_report_takes_the_referring_site_and_sandbox_dns_the_answer()
    {
        var referer = ShadowserverSamples.Parse("event4_sinkhole_http_referer.csv");
        var sandbox = ShadowserverSamples.Read("timestamp,md5hash,request,type,response\n2026-11-20 00:00:00,00ff,x.example,A,203.0.113.9\n", "sandbox_dns.csv");

        var site = Assert.Single(referer.Events);
        Assert.Equal("198.51.100.80", site.Ip);
        Assert.Equal(80, site.Port);
        Assert.Equal(AbuseClass.Malware, site.AbuseClass);
        Assert.Null(site.Url);
        Assert.Null(sandbox.Error);
        Assert.Equal("203.0.113.9", Assert.Single(sandbox.Events).Ip);
        Assert.Null(sandbox.Events[0].Port);
    }

    [Fact]
    public void Ddos_target_report_takes_the_target_not_the_source()
    {
        var (events, _, error) = ShadowserverSamples.Read(
            "timestamp,protocol,dst_ip,dst_port,src_ip,src_port\n2026-11-20 00:00:00,udp,192.0.2.77,53,203.0.113.1,123\n",
            "2026-11-20-event4_honeypot_ddos_target-asn.csv");

        Assert.Null(error);
        Assert.Equal("192.0.2.77", Assert.Single(events).Ip);
        Assert.Equal(53, events[0].Port);
        Assert.Equal(AbuseClass.Ddos, events[0].AbuseClass);
        Assert.Equal(Severity.Info, events[0].Severity);
    }

    [Fact]
    public void Url_reports_carry_the_url_and_keep_rows_that_only_have_one()
    {
        var (events, notes, error) = ShadowserverSamples.ReadSample("malware_url.csv");

        Assert.Null(error);
        Assert.Equal(2, events.Count);
        Assert.Equal("203.0.113.50", events[0].Ip);
        Assert.Equal("http://203.0.113.50:8080/bins/x86", events[0].Url);
        Assert.Null(events[1].Ip);
        Assert.Null(events[1].Port);
        Assert.Equal("https://files.example.com/payload.exe", events[1].Url);
        Assert.All(events, e => Assert.Equal(AbuseClass.Malware, e.AbuseClass));

        // A row whose "URL" is not a web address and has no IP is skipped.
        Assert.Equal(1, notes.Skipped);
        Assert.Contains("row 3: no IP address or URL, skipped", notes.Items);
    }

    [Fact]
    public void Compromised_site_url_is_built_from_host_and_path()
    {
        var outcome = ShadowserverSamples.Parse("compromised_website.csv");

        Assert.False(outcome.Failed, outcome.Error);
        Assert.Equal("https://shop.example.com/wp-content/x.php", outcome.Events[0].Url);
        Assert.Equal("198.51.100.60", outcome.Events[0].Ip);
        Assert.Null(outcome.Events[1].Url);
        Assert.Equal("198.51.100.61", outcome.Events[1].Ip);
    }

    [Fact]
    public void Sinkhole_url_is_evidence_not_the_reported_resource()
    {
        var outcome = ShadowserverSamples.Parse("event4_sinkhole_http.csv");

        var bot = Assert.Single(outcome.Events);
        Assert.Equal("192.0.2.70", bot.Ip);
        Assert.Equal(49152, bot.Port);
        Assert.Null(bot.Url);
        Assert.Equal(AbuseClass.Botnet, bot.AbuseClass);
        Assert.Equal(Severity.High, bot.Severity);
        Assert.Contains("http_url=/gate.php; http_host=c2.example", bot.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_report_with_only_a_url_column_reads_absolute_urls()
    {
        var (events, _, error) = ShadowserverSamples.Read("timestamp,url\n2026-11-20 00:00:00,http://bad.example/x\n", "2026-11-20-newfeed_url-asn.csv");

        Assert.Null(error);
        Assert.Equal("http://bad.example/x", Assert.Single(events).Url);
        Assert.Null(events[0].Ip);
        Assert.Equal(AbuseClass.Other, events[0].AbuseClass);
    }

    [Theory]
    [InlineData("2022-01-01 00:00:00", "2022-01-01T00:00:00+00:00")]
    [InlineData("2022-01-01T13:14:15Z", "2022-01-01T13:14:15+00:00")]
    [InlineData("2022-01-01T13:14:15.123456Z", "2022-01-01T13:14:15.1234560+00:00")]
    [InlineData("2022-01-01 13:14:15+02:00", "2022-01-01T11:14:15+00:00")]
    [InlineData("2024-02-29 23:59:59", "2024-02-29T23:59:59+00:00")]
    public void Timestamps_are_read_as_utc(string cell, string expected)
    {
        var (events, _, _) = ShadowserverSamples.Read($"timestamp,ip\n\"{cell}\",192.0.2.1\n", "scan_ssh.csv");

        var occurredAt = Assert.Single(events).OccurredAt!.Value;
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), occurredAt);
        Assert.Equal(TimeSpan.Zero, occurredAt.Offset);
    }

    [Theory]
    [InlineData("2023-02-29 00:00:00")]
    [InlineData("2022-13-01 00:00:00")]
    [InlineData("yesterday")]
    public void Unreadable_timestamp_keeps_the_event_without_a_time_and_notes_it(string cell)
    {
        var (events, notes, _) = ShadowserverSamples.Read($"timestamp,ip\n{cell},192.0.2.1\n", "scan_ssh.csv");

        Assert.Null(Assert.Single(events).OccurredAt);
        Assert.Contains($"row 1: unreadable timestamp '{cell}'", notes.Items);
    }

    [Fact]
    public void Events_stream_lazily_and_rows_before_a_read_failure_are_already_produced()
    {
        var text = new StringBuilder("timestamp,ip,port\n");
        for (var i = 1; i <= 10; i++)
        {
            text.Append($"2026-11-20 00:00:0{i % 10},192.0.2.{i},22\n");
        }

        // Header plus three rows, then the connection drops.
        var source = new TrickleStream(Encoding.UTF8.GetBytes(text.ToString()), failAfterLines: 4);
        using var reading = ReportParser.Open(source, new ReportInput("text/csv", "scan_ssh.csv"));
        Assert.Null(reading.Error);

        var seen = new List<string?>();
        using var enumerator = reading.Events.GetEnumerator();
        var failure = Record.Exception(() =>
        {
            while (enumerator.MoveNext())
            {
                seen.Add(enumerator.Current.Ip);
            }
        });

        Assert.IsType<IOException>(failure);
        Assert.Equal(["192.0.2.1", "192.0.2.2", "192.0.2.3"], seen);
    }

    [Fact]
    public void Opening_reads_only_the_header()
    {
        var text = "timestamp,ip\n" + string.Concat(Enumerable.Range(1, 50).Select(i => $"2026-11-20 00:00:00,192.0.2.{i}\n"));
        var source = new TrickleStream(Encoding.UTF8.GetBytes(text));

        using var reading = ReportParser.Open(source, new ReportInput("text/csv", "scan_ssh.csv"));

        Assert.Null(reading.Error);
        Assert.Equal(1, source.LinesServed);
        using var enumerator = reading.Events.GetEnumerator();
        Assert.True(enumerator.MoveNext());
        Assert.Equal("192.0.2.1", enumerator.Current.Ip);
        Assert.True(source.LinesServed <= 3, $"served {source.LinesServed} lines for one event");
    }

    [Fact]
    public void Events_can_be_enumerated_once_only()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("ip\n192.0.2.1\n"));
        using var reading = ShadowserverCsv.Read(stream, new ReportInput("text/csv", "scan_ssh.csv"));

        Assert.Single(reading.Events.ToList());
        Assert.Throws<InvalidOperationException>(() => reading.Events.GetEnumerator());
    }

    [Fact]
    public void Reading_leaves_the_callers_stream_open()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("ip\n192.0.2.1\n"));
        using (var reading = ShadowserverCsv.Read(stream, new ReportInput("text/csv", "scan_ssh.csv")))
        {
            Assert.Single(reading.Events.ToList());
        }

        Assert.True(stream.CanRead);
    }

    [Fact]
    public void Row_longer_than_the_limit_is_skipped_and_the_next_row_is_read()
    {
        var limits = ShadowserverLimits.Default with { MaxRecordLength = 100 };
        var text = "timestamp,ip,banner\n"
            + "2026-11-20 00:00:00,192.0.2.1,short\n"
            + $"2026-11-20 00:00:01,192.0.2.2,\"{new string('x', 500)}\nwith, a line break\"\n"
            + "2026-11-20 00:00:02,192.0.2.3,short\n";

        var (events, notes, error) = ShadowserverSamples.Read(text, "scan_telnet.csv", limits: limits);

        Assert.Null(error);
        Assert.Equal(["192.0.2.1", "192.0.2.3"], events.Select(e => e.Ip));
        Assert.Equal(1, notes.Skipped);
        Assert.Contains("row 2: longer than the 100-character limit, skipped", notes.Items);
    }

    [Fact]
    public void Evidence_is_bounded_and_stripped_of_control_and_format_characters()
    {
        var huge = new string('a', 3000);
        var text = $"ip,a,b,c,d\n192.0.2.1,\"x\u202Ey\u0007z\",{huge},{huge},{huge}\n";

        var (events, _, _) = ShadowserverSamples.Read(text, "scan_ssh.csv");

        var evidence = Assert.Single(events).Evidence!;
        Assert.StartsWith("ip=192.0.2.1; a=xy z; b=", evidence, StringComparison.Ordinal);
        Assert.True(evidence.Length <= ReportEvent.MaxEvidenceLength, $"{evidence.Length} characters");
        Assert.EndsWith("…", evidence, StringComparison.Ordinal);
        Assert.Contains($"b={new string('a', EvidenceLine.MaxValueLength - 1)}…; c=", evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostile_header_names_are_flattened_in_evidence()
    {
        var (events, _, _) = ShadowserverSamples.Read("ip,\"evil\nname\"\n192.0.2.1,v\n", "scan_ssh.csv");

        Assert.Equal("ip=192.0.2.1; evil name=v", Assert.Single(events).Evidence);
    }
}
