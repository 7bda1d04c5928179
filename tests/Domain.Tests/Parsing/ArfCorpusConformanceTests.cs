using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using AbuseDesk.Domain.Parsing;
using Xunit.Abstractions;

namespace AbuseDesk.Domain.Tests.Parsing;

/// <summary>
/// Parses every ARF mail of the external corpus (../shared/corpus, never copied into the repo) and
/// checks the IP found against the one the file itself states in Source-IP. Files without Source-IP
/// have their expectation stated here, decided by reading them.
/// </summary>
public partial class ArfCorpusConformanceTests(ITestOutputHelper output)
{
    /// <summary>sisimai ARF samples that carry no Source-IP: the delivering hop of the reported message.</summary>
    private static readonly Dictionary<string, string> ArfExpectationsWithoutSourceIp = new(StringComparer.Ordinal)
    {
        // Yahoo format: "Received: from 127.0.0.1 (EHLO mx8.example.com) (192.0.2.8) by mta34...yahoo.com";
        // X-Originating-IP agrees.
        ["sisimai-arf-02.eml"] = "192.0.2.8",

        // "Received: from mx53.example.net (mx53.example.net [192.0.2.2]) by example.com", the only hop.
        ["sisimai-arf-11.eml"] = "192.0.2.2",

        // Opt-out report with a "text/rfc822-header" part; "from mx90.example.net (... [192.0.2.89])".
        ["sisimai-arf-12.eml"] = "192.0.2.89",

        // Yahoo/Amazon SES: the Received header names 192.0.2.2 (X-SES-Outgoing agrees); the
        // X-Originating-IP [192.0.2.1] contradicts it and is not what the receiving server logged.
        ["sisimai-arf-14.eml"] = "192.0.2.2",
    };

    /// <summary>Every feedback-loop mail of the corpus carries a Source-IP, so nothing is stated here.</summary>
    private static readonly Dictionary<string, string> FeedbackLoopExpectationsWithoutSourceIp = new(StringComparer.Ordinal);

    /// <summary>Feedback-loop mails that are not ARF at all and must fail as unrecognized: none so far.</summary>
    private static readonly HashSet<string> FeedbackLoopExpectedUnrecognized = new(StringComparer.Ordinal);

    [Fact]
    public void Sisimai_arf_samples_yield_the_stated_ip()
    {
        var report = Run("arf", "*.eml", ArfExpectationsWithoutSourceIp, []);

        output.WriteLine($"arf corpus: {report.Summary}");
        Assert.True(report.Files == 8, $"expected the 8 sisimai ARF samples, found {report.Files}");
        Assert.True(report.Misses.Count == 0, string.Join(Environment.NewLine, report.Misses));
    }

    [Fact]
    public void Feedback_loop_mails_yield_the_stated_ip()
    {
        var report = Run("mail", "feedback-loop--*.eml", FeedbackLoopExpectationsWithoutSourceIp, FeedbackLoopExpectedUnrecognized);

        output.WriteLine($"feedback-loop mails: {report.Summary}");
        Assert.True(report.Files > 0, "no feedback-loop--*.eml files in the mail corpus");
        Assert.True(report.Misses.Count == 0, string.Join(Environment.NewLine, report.Misses));
    }

    /// <summary>The IP a sisimai ARF sample is about: its Source-IP, else the one stated here; null when neither.</summary>
    internal static string? ExpectedArfIp(string path) =>
        StatedSourceIp(path) ?? ArfExpectationsWithoutSourceIp.GetValueOrDefault(Path.GetFileName(path));

    private static ConformanceReport Run(
        string folder, string pattern, Dictionary<string, string> statedExpectations, HashSet<string> expectedUnrecognized)
    {
        var directory = TestPaths.Corpus(folder)
            ?? throw new Xunit.Sdk.XunitException(
                $"conformance corpus '{folder}' not found: looked for ../shared/corpus/{folder} beside every parent of {AppContext.BaseDirectory}");

        var report = new ConformanceReport();
        foreach (var path in Directory.GetFiles(directory, pattern).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            report.Files++;
            var outcome = ReportParsing.File(path, ReportParsing.Mail);

            if (expectedUnrecognized.Contains(name))
            {
                if (outcome is { Failed: true, Error: "unrecognized format" })
                {
                    report.ExpectedFailures++;
                }
                else
                {
                    report.Misses.Add($"{name}: expected 'unrecognized format', got {Describe(outcome)}");
                }

                continue;
            }

            if (outcome.Failed)
            {
                report.Misses.Add($"{name}: failed: {outcome.Error}");
                continue;
            }

            report.Parsed++;
            var expected = StatedSourceIp(path) ?? statedExpectations.GetValueOrDefault(name);
            if (expected is null)
            {
                report.Misses.Add($"{name}: no Source-IP in the file and no expectation stated in this test");
                continue;
            }

            if (outcome.Events.Count == 1 && SameIp(outcome.Events[0].Ip, expected))
            {
                report.Matched++;
            }
            else
            {
                report.Misses.Add($"{name}: expected {expected}, got {Describe(outcome)}");
            }
        }

        return report;
    }

    /// <summary>The Source-IP field as the file states it (the expectation lives in the file).</summary>
    private static string? StatedSourceIp(string path)
    {
        var match = SourceIpField().Match(File.ReadAllText(path, Encoding.Latin1));
        return match.Success ? match.Groups["ip"].Value : null;
    }

    private static bool SameIp(string? actual, string expected) =>
        actual is not null
        && IPAddress.TryParse(actual, out var a)
        && IPAddress.TryParse(expected, out var e)
        && (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(e.IsIPv4MappedToIPv6 ? e.MapToIPv4() : e);

    private static string Describe(ParseOutcome outcome) => outcome.Failed
        ? $"failure '{outcome.Error}'"
        : $"{outcome.Events.Count} event(s): {string.Join(", ", outcome.Events.Select(e => e.Ip ?? e.Url ?? "(none)"))}";

    [GeneratedRegex(@"^Source-IP:[ \t]*\[?(?<ip>[0-9A-Fa-f:.]+)", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex SourceIpField();

    private sealed class ConformanceReport
    {
        public int Files { get; set; }

        public int Parsed { get; set; }

        public int Matched { get; set; }

        public int ExpectedFailures { get; set; }

        public List<string> Misses { get; } = [];

        public string Summary =>
            $"{Files} files, {Parsed} parsed, {Matched} Source-IPs matched"
            + (ExpectedFailures > 0 ? $", {ExpectedFailures} expected unrecognized" : string.Empty);
    }
}
