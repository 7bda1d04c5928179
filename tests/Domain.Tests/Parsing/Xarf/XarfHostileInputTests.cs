using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Domain.Parsing.Xarf;
using MimeKit;

namespace AbuseDesk.Domain.Tests.Parsing.Xarf;

/// <summary>
/// Reports come from anyone, attackers included: whatever the input, the readers answer with a bounded
/// outcome and never throw.
/// </summary>
public class XarfHostileInputTests
{
    // Values of every JSON kind, including ones that break naive readers.
    private static readonly string[] OddValues =
    [
        "null", "0", "-1", "1e308", "1.5", "true", "\"\"", "\" \"", "\"x\"", "[]", "{}", "[null]", "[{}]",
        "\"999.999.999.999\"", "\"::\"", "\"\\u0000\\u202E\"", "\"" + new string('a', 10_000) + "\"",
    ];

    [Fact]
    public void A_huge_evidence_log_is_cut_to_the_evidence_limit()
    {
        var log = string.Concat(Enumerable.Repeat("Mar  1 10:04:01 ssh1 sshd[9211]: Failed password for root from 198.51.100.23 port 40522 ssh2\n", 60_000));
        var clock = Stopwatch.StartNew();

        var outcome = XarfTestMail.Parse(XarfTestMail.XArf(XarfTestMail.LoginAttackReport, XarfTestMail.Log(log)));

        var e = Assert.Single(outcome.Events);
        Assert.True(e.Evidence!.Length <= ReportEvent.MaxEvidenceLength);
        Assert.Contains("Log: (more in the attachment)", e.Evidence, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Evidence_lines_cannot_forge_lines_or_hide_text()
    {
        var log = "line one\r\nReport: X-ARF forged\u202E evil\u200B\n";

        var e = Assert.Single(XarfTestMail.Parse(XarfTestMail.XArf(XarfTestMail.LoginAttackReport, XarfTestMail.Log(log))).Events);

        Assert.DoesNotContain("\u202E", e.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("\u200B", e.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("\nReport: X-ARF forged", e.Evidence, StringComparison.Ordinal);
        Assert.Contains("Log: Report: X-ARF forged evil", e.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_report_txt_is_read_within_bounds()
    {
        var report = XarfTestMail.LoginAttackReport + "\n" + string.Concat(Enumerable.Range(0, 50_000).Select(i => $"X-Field-{i}: {new string('v', 100)}\n"));

        var outcome = XarfTestMail.Parse(XarfTestMail.XArf(report));

        Assert.Equal("198.51.100.23", Assert.Single(outcome.Events).Ip);
    }

    [Fact]
    public void A_deeply_nested_json_body_fails_cleanly()
    {
        var json = string.Concat(Enumerable.Repeat("{\"a\":", 100_000)) + "1" + new string('}', 100_000);

        var outcome = XarfSampleFiles.ParseJson(json);

        Assert.True(outcome.Failed);
        Assert.StartsWith("malformed JSON", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deeply_nested_json_part_is_not_taken_for_a_report()
    {
        var message = XarfTestMail.Envelope("report");
        var json = "{\"xarf_version\":" + string.Concat(Enumerable.Repeat("[", 10_000)) + new string(']', 10_000) + "}";
        message.Body = new Multipart("mixed")
        {
            new TextPart("plain") { Text = "see attachment" },
            new MimePart("application", "json") { Content = new MimeContent(new MemoryStream(Encoding.UTF8.GetBytes(json))), FileName = "r.json" },
        };

        using var stream = new MemoryStream(XarfTestMail.Bytes(message));
        using var loaded = MimeMessage.Load(stream);

        Assert.False(new XarfMailFormat().Claims(loaded));
    }

    [Fact]
    public void Too_many_evidence_items_are_refused_by_count()
    {
        var items = string.Join(',', Enumerable.Repeat("{\"content_type\":\"text/plain\",\"payload\":\"eA==\"}", 10_000));
        var json = XarfSampleFiles.Variant("v4-messaging-spam.json", "evidence", $"[{items}]");

        Assert.Equal("xarf v4: evidence: 10000 items, 0-50 expected", XarfSampleFiles.ParseJson(json).Error);
    }

    [Fact]
    public void A_huge_field_is_named_not_echoed()
    {
        var json = XarfSampleFiles.Variant("v4-messaging-spam.json", "description", JsonSerializer.Serialize(new string('d', 1_000_000)));

        var outcome = XarfSampleFiles.ParseJson(json);

        Assert.Equal("xarf v4: description: longer than 1000 characters", outcome.Error);
    }

    [Fact]
    public void Field_names_cannot_forge_evidence_lines()
    {
        var json = XarfSampleFiles.Variant("v4-messaging-spam.json", "note\nReport: forged", "\"x\"");

        var evidence = Assert.Single(XarfSampleFiles.ParseJson(json).Events).Evidence!;

        Assert.DoesNotContain("\nReport: forged", evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_types_everywhere_give_a_short_reason_naming_fields()
    {
        const string json = """
            {"xarf_version": 4, "report_id": [], "timestamp": {}, "reporter": "r", "sender": 1,
             "source_identifier": false, "source_port": "25", "category": null, "type": 7, "evidence": "e"}
            """;

        var outcome = XarfSampleFiles.ParseJson(json);

        Assert.Equal(
            "xarf v4: xarf_version: expected a string, got a number; report_id: expected a string, got an array; timestamp: expected a string, got an object",
            outcome.Error);
    }

    [Fact]
    public void Many_samples_are_counted_not_listed()
    {
        var samples = string.Join(',', Enumerable.Repeat("{\"ContentType\":\"text/plain\",\"Payload\":\"log line\"}", 10_000));
        var json = XarfSampleFiles.Variant("v3-loginattack.json", "Report.Samples", $"[{samples}]");

        var evidence = Assert.Single(XarfSampleFiles.ParseJson(json).Events).Evidence!;

        Assert.Contains("More samples: 9995", evidence, StringComparison.Ordinal);
        Assert.True(evidence.Length <= ReportEvent.MaxEvidenceLength);
    }

    [Theory]
    [InlineData("v4-messaging-spam.json")]
    [InlineData("v4-content-phishing-host.json")]
    [InlineData("v4-connection-login-attack-ipv6.json")]
    [InlineData("v4-copyright-p2p.json")]
    [InlineData("v3-loginattack.json")]
    [InlineData("v3-compromised-account.json")]
    [InlineData("v3-harassment-url.json")]
    [InlineData("v3-rpz-ipv6.json")]
    public void Any_field_replaced_by_any_kind_of_value_yields_an_outcome(string file)
    {
        var original = XarfSampleFiles.Text(file);
        var paths = FieldPaths(JsonNode.Parse(original)!, string.Empty).ToList();
        Assert.NotEmpty(paths);

        foreach (var path in paths)
        {
            foreach (var value in OddValues.Append(XarfSampleFiles.Remove))
            {
                using var document = JsonDocument.Parse(XarfSampleFiles.Change(original, path, value));
                var outcome = XarfJson.TryRead(document.RootElement);

                // Without its version marker a document is not XARF at all.
                if ((path == "xarf_version" && value == XarfSampleFiles.Remove) || (path == "Version" && value is not ("3" or "\"3\"")))
                {
                    Assert.Null(outcome);
                    continue;
                }

                Assert.NotNull(outcome);
                Assert.DoesNotContain("could not be read", outcome.Error ?? string.Empty, StringComparison.Ordinal);
                Assert.True(outcome.Failed ? outcome.Error!.Length < 1500 : outcome.Events.Count == 1, $"{path} = {value[..Math.Min(value.Length, 20)]}");
                Assert.All(outcome.Events, e => Assert.True(e.Ip is not null || e.Url is not null));
            }
        }
    }

    [Fact]
    public void Random_report_txt_lines_never_throw()
    {
        var random = new Random(20260301);
        const string alphabet = "abcXYZ:-_ \t#'\"|>[]{}*&!%@0123456789.\u00e9\u202E";
        for (var i = 0; i < 300; i++)
        {
            var lines = Enumerable.Range(0, random.Next(1, 30))
                .Select(_ => new string(Enumerable.Range(0, random.Next(0, 60)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()));
            var report = XarfTestMail.LoginAttackReport + "\n" + string.Join('\n', lines);

            var outcome = XarfTestMail.Parse(XarfTestMail.XArf(report));

            Assert.True(outcome.Failed || outcome.Events.Count == 1);
        }
    }

    /// <summary>Every property and array item of the document, as paths the sample variants understand.</summary>
    private static IEnumerable<string> FieldPaths(JsonNode node, string prefix)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
                    yield return path;
                    if (child is not null)
                    {
                        foreach (var inner in FieldPaths(child, path))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var path = $"{prefix}[{i}]";
                    yield return path;
                    if (array[i] is { } child)
                    {
                        foreach (var inner in FieldPaths(child, path))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
        }
    }
}
