using System.Net;
using System.Text.Json;
using AbuseDesk.Domain.Parsing;
using Xunit.Abstractions;

namespace AbuseDesk.Domain.Tests.Parsing.Xarf;

/// <summary>
/// Runs every XARF file of the external corpus (../shared/corpus, never copied into the repo) through
/// <see cref="ReportParser"/> and checks each against the expectation the file states itself: v4
/// source_identifier, v3 Report.SourceIp (or SourceUrl, or for a potentially compromised account the
/// account's host, DestinationIp), which this test reads on its own with JsonDocument. Invalid v3 samples
/// must be rejected with a reason; the X-ARF mails must yield the events stated below, decided by reading
/// each mail.
/// </summary>
public class XarfCorpusConformanceTests(ITestOutputHelper output)
{
    /// <summary>What each blocklist.de and Netcraft X-ARF mail reports (its report.txt part, read by hand).</summary>
    private static readonly Dictionary<string, ExpectedEvent> MailExpectations = new(StringComparer.Ordinal)
    {
        // Source-Type ip-address, Report-Type regbot (a registration bot on a honeypot forum), Port 80.
        ["blocklistde--Blocklistde_Example_2.eml"] = new("fdf1:cb9d:f59e:19b0::33:4f", null, 80, AbuseClass.Spam),

        // malware-attack from 10.0.2.2, serving Download-Link http://www.domain.tld/scripts/ufo.js.
        ["netcraft--Netcraft_Example_1.eml"] = new("10.0.2.2", "http://www.domain.tld/scripts/ufo.js", null, AbuseClass.Malware),

        // The same over IPv6 (Source-Type ipv6, fdf1:cb9d:f59e:19b0:0:0:0:1).
        ["netcraft--Netcraft_Example_2.eml"] = new("fdf1:cb9d:f59e:19b0::1", "http://www.domain6.tld/scripts/ufo.js", null, AbuseClass.Malware),

        // Phishing, Source-Type uri: the report.txt names only the URL (the IP is in the prose, not the report).
        ["netcraft--Netcraft_Example_4.eml"] = new(
            null,
            "http://john-doe.tld/ints.cancellation.form.your.pc.is.now.connected/to.ituneserver.with.ssl2active.applecustomers.webformlogin2/",
            80,
            AbuseClass.Phishing),
        ["netcraft--Netcraft_Example_6.eml"] = new(
            null,
            "http://www.john-doe.tld/~newhtvzr/files/update/files/others/ii.php?rand=13InboxLightaspxn.1774256418&fid.4.1252899642&fid=1&fav.1&rand.13InboxLight.aspxn.1774256418&fid.1252899642&fid.1&fav.1&username=&username1=&domain=&.rand=13InboxLight.aspx?n=1774256",
            80,
            AbuseClass.Phishing),
        ["netcraft--Netcraft_Example_9.eml"] = new(null, "http://www.johndoe.tld/w/www.victim.co.uk/index.php", 80, AbuseClass.Phishing),
    };

    [Fact]
    public void Every_xarf_v4_sample_yields_its_source_identifier()
    {
        var tally = new Tally("xarf-v4");
        foreach (var path in CorpusFiles("xarf-v4", "*.json"))
        {
            var name = Path.GetFileName(path);
            var expected = ReadString(path, "source_identifier");
            var outcome = ReportParsing.File(path, ReportParsing.Json);
            if (!tally.Parsed(name, outcome, "xarf-v4"))
            {
                continue;
            }

            var e = outcome.Events[0];
            tally.Check(name, outcome.Events.Count == 1 && expected is not null && (SameIp(e.Ip, expected) || e.Url == expected || HostOf(e.Url) == expected),
                $"expected {expected}, got {Describe(outcome)}");
        }

        Report(tally);
    }

    [Fact]
    public void Every_valid_xarf_v3_sample_yields_its_source()
    {
        var tally = new Tally("xarf-v3/positive");
        foreach (var path in CorpusFiles(Path.Combine("xarf-v3", "positive"), "*.json"))
        {
            var name = Path.GetFileName(path);
            var (ip, url) = StatedV3Subject(path);
            var outcome = ReportParsing.File(path, ReportParsing.Json);
            if (!tally.Parsed(name, outcome, "xarf-v3"))
            {
                continue;
            }

            var e = outcome.Events[0];
            var matched = outcome.Events.Count == 1 && (ip is not null ? SameIp(e.Ip, ip) : url is not null && e.Url == url);
            tally.Check(name, matched, $"expected {ip ?? url ?? "(nothing stated)"}, got {Describe(outcome)}");
        }

        Report(tally);
    }

    [Fact]
    public void Every_invalid_xarf_v3_sample_is_rejected_with_a_reason()
    {
        var tally = new Tally("xarf-v3/negative");
        foreach (var path in CorpusFiles(Path.Combine("xarf-v3", "negative"), "*.json"))
        {
            var name = Path.GetFileName(path);
            var outcome = ReportParsing.File(path, ReportParsing.Json);
            output.WriteLine($"  {name} -> {outcome.Error ?? "(accepted!)"}");
            tally.Files++;
            if (outcome is { Failed: true, Format: "xarf-v3" } && !string.IsNullOrWhiteSpace(outcome.Error) && outcome.Error.StartsWith("xarf v3: ", StringComparison.Ordinal))
            {
                tally.Matched++;
            }
            else
            {
                tally.Misses.Add($"{name}: expected an xarf-v3 rejection, got {Describe(outcome)} ({outcome.Format})");
            }
        }

        output.WriteLine($"xarf-v3/negative: {tally.Files} files, {tally.Matched} rejected with a reason");
        Assert.True(tally.Files > 0, "no files in xarf-v3/negative");
        Assert.True(tally.Misses.Count == 0, string.Join(Environment.NewLine, tally.Misses));
    }

    [Fact]
    public void Blocklistde_and_netcraft_mails_yield_the_stated_events()
    {
        var tally = new Tally("mail (blocklist.de, Netcraft)");
        var files = CorpusFiles("mail", "blocklistde--*.eml").Concat(CorpusFiles("mail", "netcraft--*.eml")).ToList();
        foreach (var path in files)
        {
            var name = Path.GetFileName(path);
            var outcome = ReportParsing.File(path, ReportParsing.Mail);
            if (!tally.Parsed(name, outcome, "x-arf"))
            {
                continue;
            }

            if (!MailExpectations.TryGetValue(name, out var expected))
            {
                tally.Misses.Add($"{name}: no expectation stated in this test; read the mail and add one");
                continue;
            }

            var e = outcome.Events[0];
            var matched = outcome.Events.Count == 1
                && (expected.Ip is null ? e.Ip is null : SameIp(e.Ip, expected.Ip))
                && e.Url == expected.Url
                && e.Port == expected.Port
                && e.AbuseClass == expected.AbuseClass;
            tally.Check(name, matched, $"expected {expected}, got {Describe(outcome)} port {e.Port} {e.AbuseClass}");
        }

        Assert.True(files.Count == MailExpectations.Count, $"expected {MailExpectations.Count} blocklist.de/Netcraft mails, found {files.Count}");
        Report(tally);
    }

    private void Report(Tally tally)
    {
        output.WriteLine(tally.Summary);
        Assert.True(tally.Files > 0, $"no files in the {tally.Folder} corpus");
        Assert.True(tally.Misses.Count == 0, string.Join(Environment.NewLine, tally.Misses));
    }

    private static IEnumerable<string> CorpusFiles(string folder, string pattern)
    {
        var directory = TestPaths.Corpus(folder)
            ?? throw new Xunit.Sdk.XunitException(
                $"conformance corpus '{folder}' not found: looked for ../shared/corpus/{folder} beside every parent of {AppContext.BaseDirectory}");
        return Directory.GetFiles(directory, pattern).Order(StringComparer.Ordinal);
    }

    private static string? ReadString(string path, string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    /// <summary>The report's subject as the v3 file states it.</summary>
    private static (string? Ip, string? Url) StatedV3Subject(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var report = document.RootElement.GetProperty("Report");
        string? Field(string name) => report.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return Field("ReportType") == "PotentiallyCompromisedAccount"
            ? (Field("DestinationIp"), null)
            : (Field("SourceIp"), Field("SourceIp") is null ? Field("SourceUrl") : null);
    }

    private static bool SameIp(string? actual, string expected) =>
        actual is not null
        && IPAddress.TryParse(actual, out var a)
        && IPAddress.TryParse(expected, out var e)
        && a.Equals(e);

    private static string? HostOf(string? url) =>
        url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Host : null;

    private static string Describe(ParseOutcome outcome) => outcome.Failed
        ? $"failure '{outcome.Error}'"
        : $"{outcome.Events.Count} event(s): {string.Join(", ", outcome.Events.Select(e => e.Ip ?? e.Url ?? "(none)"))}";

    private sealed record ExpectedEvent(string? Ip, string? Url, int? Port, AbuseClass AbuseClass);

    private sealed class Tally(string folder)
    {
        public string Folder => folder;

        public int Files { get; set; }

        public int ParsedCount { get; private set; }

        public int Matched { get; set; }

        public List<string> Misses { get; } = [];

        public string Summary => $"{folder}: {Files} files, {ParsedCount} parsed, {Matched} matched";

        /// <summary>Counts the file; true when it parsed as <paramref name="format"/> with at least one event.</summary>
        public bool Parsed(string name, ParseOutcome outcome, string format)
        {
            Files++;
            if (outcome.Failed || outcome.Format != format || outcome.Events.Count == 0)
            {
                Misses.Add($"{name}: expected {format} events, got {Describe(outcome)} ({outcome.Format})");
                return false;
            }

            ParsedCount++;
            return true;
        }

        public void Check(string name, bool matched, string miss)
        {
            if (matched)
            {
                Matched++;
            }
            else
            {
                Misses.Add($"{name}: {miss}");
            }
        }
    }
}
