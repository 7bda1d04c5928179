using System.IO.Compression;
using System.Net;
using System.Text;
using AbuseDesk.Domain.Parsing;
using MimeKit;
using Xunit.Abstractions;

namespace AbuseDesk.Domain.Tests.Parsing;

/// <summary>
/// Parses every whole mail of the external corpus (../shared/corpus/mail, never copied into the repo)
/// the way the app does, and checks the events against the IPs and URLs each report is about, stated
/// here file by file after reading it. Shadowserver mails are checked against the rows of their zipped
/// CSV, read independently of the parser.
/// </summary>
public class MailCorpusConformanceTests(ITestOutputHelper output)
{
    private const string Folder = "mail";

    /// <summary>File name → what the report is about. Ips null: not checked; Urls null: not checked.</summary>
    private static readonly Dictionary<string, Expectation> Stated = new(StringComparer.Ordinal)
    {
        // AbuseHubCsv attachment, src_ip column (the Shadowserver drone CSV beside it names the same host).
        ["abusehub--Abusehub_Example_1.eml"] = Ips("172.16.10.13"),
        ["abusehub--Abusehub_Example_2.eml"] = Ips("fdf1:cb9d:f59e:19b0:0:45:0:22"),

        // X-ARF 0.2: the Source field of report.txt.
        ["blocklistde--Blocklistde_Example_2.eml"] = Ips("fdf1:cb9d:f59e:19b0:0:0:33:4f"),

        // X-ARF 0.1 style report.txt: Source (the body's "IP: 84.22.103.137 has attacked" line is mangled
        // into the part's headers and contradicts it; the machine-readable Source is the statement).
        ["cleanmx--Cleanmx_Example_1.eml"] = Ips("192.168.2.20"),
        ["cleanmx--Cleanmx_Example_3.eml"] = Ips("fdf1:cb9d:f59e:19b0:45ff:0:0:1"),

        // Viruses list: one table row, ip and Url columns.
        ["cleanmx--Cleanmx_Example_4.eml"] = Both(["fdf1:cb9d:f59e:19b0:45ff:0:0:1"], ["http://8f2e67c462.victim.tld/"]),

        // ACNS XML quoted in the signed body: Source/IP_Address.
        ["copyrightcompliance--Copyrightcompliance_Example_2.eml"] = Ips("fdf1:cb9d:f59e:19b0:2:3:ff33:345"),

        // The "# begin logs" block: IP and URL.
        ["cyscon--Cyscon_Example_1.eml"] = Both(["172.16.10.13"], ["http://malware.cust.domain.tld/"]),

        // ARF: Source-IP.
        ["feedback-loop--AOL_example_1.eml"] = Ips("10.17.18.1"),
        ["feedback-loop--AOL_example_2.eml"] = Ips("10.17.18.2"),
        ["feedback-loop--Bluetie_example_2.eml"] = Ips("10.17.18.4"),
        ["feedback-loop--Comcast_example_1.eml"] = Ips("10.17.18.5"),
        ["feedback-loop--Cox_example_1.eml"] = Ips("10.17.18.7"),
        ["feedback-loop--Cox_example_2.eml"] = Ips("10.17.18.8"),
        ["feedback-loop--Fastmail_example_2.eml"] = Ips("10.17.18.11"),
        ["feedback-loop--OpenSRS_example_1.eml"] = Ips("10.17.18.12"),
        ["feedback-loop--Rackspace_example_1.eml"] = Ips("10.17.18.14"),
        ["feedback-loop--Rackspace_example_2.eml"] = Ips("10.17.18.15"),
        ["feedback-loop--RoadRunner_example_2.eml"] = Ips("10.17.18.20"),
        ["feedback-loop--Synacor_example_1.eml"] = Ips("10.17.18.21"),
        ["feedback-loop--USANet_example_1.eml"] = Ips("10.17.18.23"),
        ["feedback-loop--USANet_example_2.eml"] = Ips("10.17.18.24"),
        ["feedback-loop--Yahoo_example_2.eml"] = Ips("10.17.18.26"),
        ["feedback-loop--Zoho_example_1.eml"] = Ips("10.17.18.28"),

        // notification_message XML: every url_info; the IP is the ip attribute, else the URL's IP host.
        ["google--Safe_Browsing_Report_1.eml"] = Both(
            ["10.0.2.23", "10.0.2.26"],
            [
                "http://nacions.com/",
                "http://nacions.com/wordpress/",
                "http://nacions.com/gallery2/",
                "http://10.0.2.26:2222/CMD_FILE_MANAGER/domains/derada.com/public_html/wp-content/themes/econature/framework/class",
                "http://10.0.2.26:2222/CMD_FILE_MANAGER/domains/zacater.com/public_html/wp-content/plugins/flexicache/_data",
            ]),

        // The same with IPv6; the list-1 URLs write an IPv6 host unbracketed with ":2222" appended (nine
        // groups), which only reads as address plus port; the URLs are stated with the host bracketed.
        ["google--Safe_Browsing_Report_2.eml"] = Both(
            ["fdf1:cb9d:f59e:19b0:ff3:567:0:30", "fdf1:cb9d:f59e:19b0:f3:22:0:2", "fdf1:cb9d:f59e:19b0:f3:22:0:23"],
            [
                "http://nacions.com/",
                "http://nacions.com/wordpress/",
                "http://nacions.com/gallery2/",
                "http://[fdf1:cb9d:f59e:19b0:f3:22:0:2]:2222/CMD_FILE_MANAGER/domains/derada.com/public_html/wp-content/themes/econature/framework/class",
                "http://[fdf1:cb9d:f59e:19b0:f3:22:0:23]:2222/CMD_FILE_MANAGER/domains/zacater.com/public_html/wp-content/plugins/flexicache/_data",
            ]),

        // ACNS XML (attached and quoted in the body: one notice): Source/IP_Address.
        ["ip-echelon--ip-echelon_sample10.eml"] = Ips("192.168.3.3"),
        ["ip-echelon--ip-echelon_sample11.eml"] = Ips("192.168.3.3"),
        ["ip-echelon--ip-echelon_sample13.eml"] = Ips("192.168.3.3"),
        ["ip-echelon--ip-echelon_sample14.eml"] = Ips("192.168.3.6"),
        ["ip-echelon--ip-echelon_sample16.eml"] = Ips("192.168.3.3"),
        ["ip-echelon--ip-echelon_sample2.eml"] = Ips("192.168.2.212"),
        ["ip-echelon--ip-echelon_sample4.eml"] = Ips("192.168.2.100"),
        ["ip-echelon--ip-echelon_sample5.eml"] = Ips("192.168.2.200"),
        ["ip-echelon--ip-echelon_sample7.eml"] = Ips("192.168.3.2"),
        ["ip-echelon--ip-echelon_sample8.eml"] = Ips("192.168.3.2"),

        // X-ARF 0.2: Source, an IP in 1 and 2, a URL (no IP anywhere in the report) in 4, 6 and 9.
        ["netcraft--Netcraft_Example_1.eml"] = Ips("10.0.2.2"),
        ["netcraft--Netcraft_Example_2.eml"] = Ips("fdf1:cb9d:f59e:19b0:0:0:0:1"),
        ["netcraft--Netcraft_Example_4.eml"] = Both([], ["http://john-doe.tld/ints.cancellation.form.your.pc.is.now.connected/to.ituneserver.with.ssl2active.applecustomers.webformlogin2/"]),
        ["netcraft--Netcraft_Example_6.eml"] = Both([], ["http://www.john-doe.tld/~newhtvzr/files/update/files/others/ii.php?rand=13InboxLightaspxn.1774256418&fid.4.1252899642&fid=1&fav.1&rand.13InboxLight.aspxn.1774256418&fid.1252899642&fid.1&fav.1&username=&username1=&domain=&.rand=13InboxLight.aspx?n=1774256"]),
        ["netcraft--Netcraft_Example_9.eml"] = Both([], ["http://www.johndoe.tld/w/www.victim.co.uk/index.php"]),

        // Monitor report: every IP listed under a section (free: 3 harvesters, 2 comment spammers).
        ["projecthoneypot--Projecthoneypot_Example_free_1.eml"] = Ips("10.0.2.1", "10.0.2.2", "10.0.2.3", "10.0.2.4", "10.0.2.5"),
        ["projecthoneypot--Projecthoneypot_Example_paid_1.eml"] = Ips("192.168.1.19", "192.168.1.21", "192.168.1.22", "192.168.1.23"),
        ["projecthoneypot--Projecthoneypot_Example_paid_2.eml"] = Ips("fd30::1:ff4e:3e:d:19", "fd30::1:ff4e:3e:d:21", "fd30::1:ff4e:3e:d:22", "fd30::1:ff4e:3e:d:23"),

        // ARF: Source-IP.
        ["spamexperts--10.eml"] = Ips("10.0.2.35"),
        ["spamexperts--11.eml"] = Ips("fdf1:cb9d:f59e:19b0:0:0:0:122"),
        ["spamexperts--3.eml"] = Ips("10.0.2.35"),
        ["spamexperts--4.eml"] = Ips("10.0.2.35"),
        ["spamexperts--6.eml"] = Ips("10.0.2.35"),
        ["spamexperts--7.eml"] = Ips("10.0.2.35"),
        ["spamexperts--9.eml"] = Ips("10.0.2.35"),

        // "Offending IP:" (and "Offending/Source IP:"); the targeted URLs are the victims'.
        ["webiron--Webiron_Example_1.eml"] = Ips("172.16.31.20"),
        ["webiron--Webiron_Example_3.eml"] = Ips("fdf1:cb9d:f59e:19b0:0:3:4:2"),
    };

    /// <summary>What the corpus mail <paramref name="name"/> (at <paramref name="path"/>) is stated to be about; null when nothing is stated.</summary>
    internal static Expectation? ExpectationOf(string name, string path) =>
        FamilyOf(name) == "shadowserver" ? ShadowserverRows(path) : Stated.GetValueOrDefault(name);

    /// <summary>The reporter families of the corpus: one test each, so a family whose parser is not in yet fails alone.</summary>
    public static TheoryData<string> Families()
    {
        var families = new TheoryData<string>();
        foreach (var family in Stated.Keys.Select(FamilyOf).Append("shadowserver").Distinct().Order(StringComparer.Ordinal))
        {
            families.Add(family);
        }

        return families;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Each_reporter_family_yields_the_stated_events(string family)
    {
        var results = Run().Where(r => r.Family == family).ToList();

        output.WriteLine(Summary(family, results));
        Assert.True(results.Count > 0, $"no {family}--*.eml files in the mail corpus");
        var misses = results.Where(r => r.Miss is not null).Select(r => r.Miss).ToList();
        Assert.True(misses.Count == 0, string.Join(Environment.NewLine, misses));
    }

    [Fact]
    public void Whole_mail_corpus_yields_the_stated_events()
    {
        var results = Run();

        foreach (var family in results.GroupBy(r => r.Family).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine(Summary(family.Key, family.ToList()));
        }

        output.WriteLine(Summary("total", results));
        var misses = results.Where(r => r.Miss is not null).Select(r => r.Miss).ToList();
        Assert.True(misses.Count == 0, $"{misses.Count} of {results.Count} mails missed:{Environment.NewLine}{string.Join(Environment.NewLine, misses)}");
    }

    [Fact]
    public void Every_stated_file_is_in_the_corpus()
    {
        var directory = CorpusDirectory();
        var missing = Stated.Keys.Where(name => !File.Exists(Path.Combine(directory, name))).ToList();

        Assert.True(missing.Count == 0, "stated but not in the corpus: " + string.Join(", ", missing));
    }

    private static List<FileResult> Run()
    {
        var directory = CorpusDirectory();
        var results = new List<FileResult>();
        foreach (var path in Directory.GetFiles(directory, "*.eml").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            var family = FamilyOf(name);
            ParseOutcome outcome;
            using (var stream = File.OpenRead(path))
            {
                outcome = ReportParser.Parse(stream, new ReportInput("message/rfc822", name));
            }

            var expected = family == "shadowserver" ? ShadowserverRows(path) : Stated.GetValueOrDefault(name);
            results.Add(new FileResult(family, outcome.Format, !outcome.Failed, Check(name, outcome, expected)));
        }

        return results;
    }

    private static string CorpusDirectory() =>
        TestPaths.Corpus(Folder)
        ?? throw new Xunit.Sdk.XunitException(
            $"conformance corpus '{Folder}' not found: looked for ../shared/corpus/{Folder} beside every parent of {AppContext.BaseDirectory}");

    /// <summary>Null when the outcome is what the report is about; otherwise what went wrong.</summary>
    private static string? Check(string name, ParseOutcome outcome, Expectation? expected)
    {
        if (expected is null)
        {
            return $"{name}: no expectation stated in this test (format {outcome.Format}, {Describe(outcome)})";
        }

        if (outcome.Failed)
        {
            return $"{name}: failed as {outcome.Format}: {outcome.Error}";
        }

        var ips = outcome.Events.Where(e => e.Ip is not null).Select(e => Canonical(e.Ip!)).ToHashSet(StringComparer.Ordinal);
        var urls = outcome.Events.Where(e => e.Url is not null).Select(e => e.Url!).ToHashSet(StringComparer.Ordinal);
        var ipsMatch = expected.Ips is null || ips.SetEquals(expected.Ips.Select(Canonical));
        var urlsMatch = expected.Urls is null || urls.SetEquals(expected.Urls);
        return ipsMatch && urlsMatch
            ? null
            : $"{name}: as {outcome.Format} expected IPs [{Join(expected.Ips)}] URLs [{Join(expected.Urls)}], got {Describe(outcome)}";
    }

    /// <summary>The IPs of the rows of the zipped CSV attached to a Shadowserver mail, read without the parser.</summary>
    internal static Expectation ShadowserverRows(string path)
    {
        using var message = MimeMessage.Load(path);
        var zip = message.Attachments.OfType<MimePart>().Single(p => p.FileName?.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) == true);
        using var bytes = new MemoryStream();
        zip.Content!.DecodeTo(bytes);
        bytes.Position = 0;
        using var archive = new ZipArchive(bytes, ZipArchiveMode.Read);
        using var reader = new StreamReader(archive.Entries.Single().Open(), Encoding.UTF8);
        var header = SplitCsv(reader.ReadLine() ?? string.Empty);
        var ipColumn = Array.IndexOf(header, "ip");
        var ips = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                ips.Add(SplitCsv(line)[ipColumn]);
            }
        }

        return new Expectation(ips, null);
    }

    /// <summary>Enough CSV for Shadowserver rows: commas, and double quotes around fields that contain them.</summary>
    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"')
            {
                if (quoted && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = !quoted;
                }
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return [.. fields];
    }

    internal static string FamilyOf(string fileName)
    {
        var separator = fileName.IndexOf("--", StringComparison.Ordinal);
        return separator > 0 ? fileName[..separator] : fileName;
    }

    internal static string Canonical(string ip) =>
        IPAddress.TryParse(ip, out var address) ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString() : ip;

    private static string Join(IEnumerable<string>? values) => values is null ? "(not checked)" : string.Join(", ", values.Order(StringComparer.Ordinal));

    private static string Describe(ParseOutcome outcome) => outcome.Failed
        ? $"failure '{outcome.Error}'"
        : $"{outcome.Events.Count} event(s): {string.Join(", ", outcome.Events.Take(20).Select(e => $"{e.Ip ?? "-"} {e.Url ?? ""}".Trim()))}";

    private static string Summary(string family, IReadOnlyCollection<FileResult> results) =>
        $"{family}: {results.Count} files, {results.Count(r => r.Parsed)} parsed, {results.Count(r => r.Miss is null)} matched"
        + $" (as {string.Join(", ", results.Select(r => r.Format).Distinct().Order(StringComparer.Ordinal))})";

    private static Expectation Ips(params string[] ips) => new(ips.ToHashSet(StringComparer.Ordinal), null);

    private static Expectation Both(string[] ips, string[] urls) => new(ips.ToHashSet(StringComparer.Ordinal), urls.ToHashSet(StringComparer.Ordinal));

    internal sealed record Expectation(IReadOnlySet<string>? Ips, IReadOnlySet<string>? Urls);

    private sealed record FileResult(string Family, string Format, bool Parsed, string? Miss);
}
