using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace AbuseDesk.Benchmarks.Fuzz;

/// <summary>What the inputs need from the running app: keys, one real case and a link to it.</summary>
public sealed record FuzzTargets(string ReporterKey, string ReporterId, string OpsKey, string CaseId, string Token, string CsrfCookie, string Csrf);

/// <summary>
/// Makes input number i: the hostile cases of issue 13 first (always run, whatever the count), then seeded
/// mutations of the seeds against the report route, and hostile requests to the ops and portal routes.
/// Keys are written as placeholders ($REPORTER_KEY, $OPS_KEY) so a saved input replays against another run.
/// </summary>
public sealed class FuzzInputs(IReadOnlyList<Seed> seeds, FuzzTargets targets, int runSeed)
{
    public const string ReporterKey = "$REPORTER_KEY";
    public const string OpsKey = "$OPS_KEY";
    public const string InjectedAddress = "injected@example.net";
    private const string Injection = "victim@example.org\r\nBcc: " + InjectedAddress;

    private static readonly string[] ContentTypes =
    [
        "message/rfc822", "application/json", "text/csv", "MESSAGE/RFC822", "application/json; charset=utf-16",
        "text/csv; charset=x-unknown", "text/csv; header=present; charset=\"utf-8\"", "application/zip", "multipart/form-data; boundary=x",
        "text/plain", "", "message/rfc822;;;", "application/json; charset=" + new string('x', 2000), "*/*", "text/csv\r\nX-Injected: 1",
    ];

    private static readonly string[] OpsGets =
    [
        "/api/ops/cases?status={0}", "/api/ops/cases?limit={0}", "/api/ops/cases?continuation={0}", "/api/ops/cases?customerId={0}&abuseClass={0}&overdue={0}",
        "/api/ops/cases/{0}", "/api/ops/reports/{0}", "/api/ops/orchestrations?runtimeStatus={0}", "/api/ops/orchestrations?lateBy={0}",
        "/api/ops/audit?from={0}", "/api/ops/customers/{0}", "/api/ops/customers?continuation={0}", "/api/ops/queues/{0}", "/api/ops/poison?queue={0}",
        "/api/ops/reporters/{0}", "/api/ops/reporters?revoked={0}", "/api/ops/cases/{0}/export", "/api/ops/mail/failed?limit={0}", "/api/reports/{0}",
    ];

    private static readonly string[] Hostile =
    [
        "", "%00", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "-1", "99999999999999999999", "NaN", "true", "%27%20OR%201%3D1--",
        "PartitionKey%20eq%20%27x%27", "%0d%0aBcc:%20injected@example.net", "%ff%fe", "PT-1S", "P99999999D", "eyJ4IjoxfQ", "%E2%80%AE",
    ];

    public int HostileCount => 22;

    public FuzzInput Make(int index)
    {
        if (index < HostileCount)
        {
            return MakeHostile(index);
        }

        var random = new Random(unchecked(runSeed * 1_000_003 + index));
        var roll = random.Next(100);
        return roll switch
        {
            < 72 => Report(index, random),
            < 75 => BadAuth(index, random),
            < 85 => Ops(index, random),
            < 95 => Portal(index, random),
            _ => StatusRead(index, random),
        };
    }

    private FuzzInput Report(int index, Random random)
    {
        var seed = seeds[random.Next(seeds.Count)];
        var what = "seed";
        var body = random.Next(10) == 0 ? seed.Body : Mutator.Mutate(random, seed.Body, seeds, out what);
        var contentType = random.Next(100) < 85 ? seed.ContentType : ContentTypes[random.Next(ContentTypes.Length)];
        var headers = new List<KeyValuePair<string, string>> { new("Authorization", $"Bearer {ReporterKey}") };
        var fileName = seed.FileName;
        if (fileName is not null && random.Next(8) == 0)
        {
            fileName = new[] { "../../x.csv", new string('a', 5000) + ".csv", "\"quoted\".csv", "scan_ssh.zip", "2026-11-20-.csv", "ünïcode-scan.csv" }[random.Next(6)];
        }

        if (fileName is not null)
        {
            headers.Add(new("Content-Disposition", random.Next(10) == 0 ? $"attachment; filename*=UTF-8''{Uri.EscapeDataString(fileName)}" : $"attachment; filename=\"{fileName}\""));
        }

        var query = random.Next(10) == 0 ? "?report=" + new[] { "scan_ssh", "", "..", "event4_sinkhole_http", new string('r', 300), "%00" }[random.Next(6)] : "";
        return new FuzzInput(index, $"report:{Path.GetFileName(seed.Name)}:{what}", "POST", "/api/reports" + query, body, contentType, headers, Chunked: random.Next(10) == 0);
    }

    private FuzzInput BadAuth(int index, Random random)
    {
        var value = random.Next(6) switch
        {
            0 => "",
            1 => "Bearer",
            2 => "Bearer " + new string('k', 10_000),
            3 => "Basic " + Convert.ToBase64String("abuse:abuse"u8),
            4 => $"Bearer {ReporterKey}x",
            _ => $"bearer  {ReporterKey}",
        };
        var seed = seeds[random.Next(seeds.Count)];
        return new FuzzInput(index, "report-auth", "POST", "/api/reports", seed.Body, seed.ContentType, [new("Authorization", value)]);
    }

    private FuzzInput StatusRead(int index, Random random)
    {
        var id = random.Next(3) == 0 ? targets.CaseId : Hostile[random.Next(Hostile.Length)] + RandomId(random);
        return new FuzzInput(index, "report-status", "GET", $"/api/reports/{id}?from={Hostile[random.Next(Hostile.Length)]}&limit={Hostile[random.Next(Hostile.Length)]}", [], null,
            [new("Authorization", $"Bearer {ReporterKey}")]);
    }

    private FuzzInput Ops(int index, Random random)
    {
        var auth = new List<KeyValuePair<string, string>> { new("x-functions-key", random.Next(30) == 0 ? "wrong" : OpsKey) };
        var junk = random.Next(4) == 0 ? targets.CaseId : Hostile[random.Next(Hostile.Length)];
        switch (random.Next(8))
        {
            case 0:
            case 1:
            case 2:
                return new FuzzInput(index, "ops-get", "GET", string.Format(CultureInfo.InvariantCulture, OpsGets[random.Next(OpsGets.Length)], junk), [], null, auth);
            case 3:
                var action = $"{{\"action\":\"{new[] { "message", "extend", "close", "reopen", "approve-termination", "bogus", "" }[random.Next(7)]}\",\"actor\":\"fuzz\",\"reason\":\"fuzz {index}\",\"text\":\"hello\"}}";
                return new FuzzInput(index, "ops-action", "POST", $"/api/ops/cases/{(random.Next(2) == 0 ? targets.CaseId : junk)}/actions",
                    Mutator.Mutate(random, Encoding.UTF8.GetBytes(action), seeds, out _), "application/json", auth);
            case 4:
                var reporter = $"{{\"name\":\"fuzz-{index}\",\"contactEmail\":\"{(random.Next(2) == 0 ? "victim@example.org\\r\\nBcc: injected@example.net" : "a@b.example")}\",\"wantsFeedback\":true}}";
                var body = random.Next(3) == 0 ? Encoding.UTF8.GetBytes(reporter) : Mutator.Mutate(random, Encoding.UTF8.GetBytes(reporter), seeds, out _);
                return random.Next(2) == 0
                    ? new FuzzInput(index, "ops-reporter-create", "POST", "/api/ops/reporters", body, "application/json", auth)
                    : new FuzzInput(index, "ops-reporter-update", "PUT", $"/api/ops/reporters/{targets.ReporterId}", body, "application/json", auth);
            case 5:
                // Rarely: a valid allocation replaces the table, and every later report routes against it.
                var allocations = Encoding.UTF8.GetBytes(AllocationsCsv);
                return new FuzzInput(index, "ops-allocations", "PUT", "/api/ops/allocations", Mutator.Mutate(random, allocations, seeds, out _), "text/csv", auth);
            case 6:
                return new FuzzInput(index, "ops-reparse", "POST", $"/api/ops/reports/{junk}/reparse", Encoding.UTF8.GetBytes("{\"actor\":\"fuzz\",\"reason\":\"fuzz\"}"), "application/json", auth);
            default:
                return new FuzzInput(index, "ops-breaker", "POST", new[] { "/api/ops/breaker/resume", "/api/ops/poison/reports-parse/" + junk + "/requeue", "/api/ops/cases/" + junk + "/links/revoke" }[random.Next(3)],
                    Mutator.Mutate(random, "{\"actor\":\"fuzz\",\"reason\":\"fuzz\"}"u8.ToArray(), seeds, out _), "application/json", auth);
        }
    }

    public static string AllocationsCsv =>
        "cidr,customerId,resourceId,contactEmail,customerSince\n" +
        "198.51.100.0/24,cust-1,vm-1,noc-1@fuzz.test,2020-01-01\n" +
        "203.0.113.0/24,cust-2,vm-2,noc-2@fuzz.test,2020-01-01\n" +
        "192.0.2.0/24,cust-3,vm-3,noc-3@fuzz.test,2020-01-01\n" +
        "2001:db8::/32,cust-4,vm-4,noc-4@fuzz.test,2020-01-01\n";

    private FuzzInput Portal(int index, Random random)
    {
        var token = random.Next(3) switch
        {
            0 => targets.Token,
            1 => Encoding.Latin1.GetString(Mutator.Mutate(random, Encoding.ASCII.GetBytes(targets.Token), seeds, out _)),
            _ => Hostile[random.Next(Hostile.Length)] + RandomId(random),
        };
        var path = "/portal/cases/" + Uri.EscapeDataString(token.Length > 3000 ? token[..3000] : token);
        var cookie = new KeyValuePair<string, string>("Cookie", random.Next(4) == 0 ? "abusedesk-csrf=" + new string('c', random.Next(90, 200)) : $"abusedesk-csrf={targets.CsrfCookie}");
        if (random.Next(3) == 0)
        {
            return new FuzzInput(index, "portal-get", "GET", path, [], null, [cookie]);
        }

        var text = random.Next(3) switch
        {
            0 => "fixed it\r\nBcc: " + InjectedAddress,
            1 => "<script>alert(1)</script><img src=x onerror=alert(1)>",
            _ => new string('t', random.Next(1, 70_000)),
        };
        var form = $"csrf={Uri.EscapeDataString(targets.Csrf)}&action={new[] { "message", "fixed", "disputed", "more-time", "bogus" }[random.Next(5)]}&text={Uri.EscapeDataString(text)}";
        var body = random.Next(2) == 0 ? Encoding.ASCII.GetBytes(form) : Mutator.Mutate(random, Encoding.ASCII.GetBytes(form), seeds, out _);
        var contentType = new[] { "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-7", "multipart/form-data; boundary=zz", "text/plain" }[random.Next(4)];
        return new FuzzInput(index, "portal-post", "POST", path, body, contentType, [cookie], Chunked: random.Next(5) == 0);
    }

    private static string RandomId(Random random) => Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64()));

    private FuzzInput MakeHostile(int index)
    {
        var reporter = new KeyValuePair<string, string>("Authorization", $"Bearer {ReporterKey}");
        var ops = new KeyValuePair<string, string>("x-functions-key", OpsKey);
        var cookie = new KeyValuePair<string, string>("Cookie", $"abusedesk-csrf={targets.CsrfCookie}");
        var portal = "/portal/cases/" + targets.Token;
        var badChunks = "ffffffffffffffff\r\nabc"u8.ToArray();
        var zipName = new KeyValuePair<string, string>("Content-Disposition", "attachment; filename=\"2026-11-20-scan_ssh-asn-bomb.zip\"");
        return index switch
        {
            0 => new FuzzInput(index, "hostile:zip-bomb", "POST", "/api/reports", ZipBomb.Value, "text/csv", [reporter, zipName]),
            1 => new FuzzInput(index, "hostile:zip-bomb-mail", "POST", "/api/reports", ZipBombMail(), "message/rfc822", [reporter]),
            2 => new FuzzInput(index, "hostile:bad-chunks-report", "POST", "/api/reports", badChunks, "text/csv", [reporter, new("Transfer-Encoding", "chunked")], Raw: true),
            3 => new FuzzInput(index, "hostile:bad-chunks-portal", "POST", portal, badChunks, "application/x-www-form-urlencoded", [cookie, new("Transfer-Encoding", "chunked")], Raw: true),
            4 => new FuzzInput(index, "hostile:bad-chunks-ops", "PUT", "/api/ops/allocations", badChunks, "text/csv", [ops, new("Transfer-Encoding", "chunked")], Raw: true),
            5 => new FuzzInput(index, "hostile:slow-body-report", "POST", "/api/reports", new byte[100_000], "text/csv", [reporter], TrickleBytesPerSecond: 10),
            6 => new FuzzInput(index, "hostile:slow-body-portal", "POST", portal, Encoding.ASCII.GetBytes("csrf=" + new string('a', 50_000)), "application/x-www-form-urlencoded", [cookie], TrickleBytesPerSecond: 10),
            7 => new FuzzInput(index, "hostile:slow-chunked-report", "POST", "/api/reports", new byte[100_000], "application/json", [reporter], Chunked: true, TrickleBytesPerSecond: 10),
            8 => new FuzzInput(index, "hostile:slow-body-ops", "PUT", "/api/ops/allocations", new byte[100_000], "text/csv", [ops], TrickleBytesPerSecond: 10),
            9 => new FuzzInput(index, "hostile:60MB-chunked-portal-form", "POST", portal, Form60Mb(), "application/x-www-form-urlencoded", [cookie], Chunked: true),
            10 => new FuzzInput(index, "hostile:60MB-chunked-portal-form-bad-token", "POST", "/portal/cases/v2.k1.nope.1.2.x", Form60Mb(), "application/x-www-form-urlencoded", [cookie], Chunked: true),
            11 => new FuzzInput(index, "hostile:60MB-chunked-report", "POST", "/api/reports", new byte[60 << 20], "text/csv", [reporter], Chunked: true),
            12 => new FuzzInput(index, "hostile:injection-reporter-create", "POST", "/api/ops/reporters",
                Encoding.UTF8.GetBytes($"{{\"name\":\"inj\",\"contactEmail\":\"{Injection.Replace("\r\n", "\\r\\n", StringComparison.Ordinal)}\",\"wantsFeedback\":true}}"), "application/json", [ops]),
            13 => new FuzzInput(index, "hostile:injection-reporter-update", "PUT", $"/api/ops/reporters/{targets.ReporterId}",
                Encoding.UTF8.GetBytes($"{{\"contactEmail\":\"{Injection.Replace("\r\n", "\\r\\n", StringComparison.Ordinal)}\",\"actor\":\"fuzz\"}}"), "application/json", [ops]),
            14 => new FuzzInput(index, "hostile:injection-allocations", "PUT", "/api/ops/allocations",
                Encoding.UTF8.GetBytes(AllocationsCsv + $"198.51.101.0/24,cust-9,vm-9,\"{Injection}\",2020-01-01\n"), "text/csv", [ops]),
            15 => new FuzzInput(index, "hostile:injection-portal-message", "POST", portal,
                Encoding.ASCII.GetBytes($"csrf={Uri.EscapeDataString(targets.Csrf)}&action=message&text={Uri.EscapeDataString("hi\r\nBcc: " + InjectedAddress + "\r\n\r\nbody")}"), "application/x-www-form-urlencoded", [cookie]),
            16 => new FuzzInput(index, "hostile:injection-arf-reporter", "POST", "/api/reports", InjectedArf(), "message/rfc822", [reporter]),
            17 => new FuzzInput(index, "hostile:injection-header", "POST", "/api/reports", "{}"u8.ToArray(), "application/json", [reporter, new("X-Reply-To", Injection)], Raw: true),
            18 => new FuzzInput(index, "hostile:huge-csv", "POST", "/api/reports", HugeCsv(24 << 20), "text/csv",
                [reporter, new("Content-Disposition", "attachment; filename=\"2026-11-20-scan_ssh-asn-huge.csv\"")]),
            19 => new FuzzInput(index, "hostile:huge-csv-one-record", "POST", "/api/reports", HugeRecord(), "text/csv",
                [reporter, new("Content-Disposition", "attachment; filename=\"2026-11-20-scan_ssh-asn-record.csv\"")]),
            20 => new FuzzInput(index, "hostile:huge-json", "POST", "/api/reports", HugeJson(24 << 20), "application/json", [reporter]),
            _ => new FuzzInput(index, "hostile:over-limit-csv", "POST", "/api/reports", HugeCsv(30 << 20), "text/csv",
                [reporter, new("Content-Disposition", "attachment; filename=\"2026-11-20-scan_ssh-asn-over.csv\"")]),
        };
    }

    /// <summary>The issue's zip bomb: a CSV header and 8,388,608 identical rows about one IP, deflated to about 1.4 MB
    /// (.NET's deflate gets about 300:1 on it, so the rows are short to land near that size).</summary>
    public static readonly Lazy<byte[]> ZipBomb = new(() =>
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = new BufferedStream(zip.CreateEntry("2026-11-20-scan_ssh-asn-bomb.csv", CompressionLevel.SmallestSize).Open(), 1 << 20);
            entry.Write("\"timestamp\",\"ip\",\"protocol\",\"port\"\n"u8);
            var row = "\"2026-11-20 01:02:03\",\"198.51.100.7\",\"tcp\",22\n"u8.ToArray();
            var block = new byte[row.Length * 4096];
            for (var i = 0; i < 4096; i++)
            {
                row.CopyTo(block, i * row.Length);
            }

            for (var i = 0; i < 8_388_608 / 4096; i++)
            {
                entry.Write(block);
            }
        }

        return buffer.ToArray();
    });

    private static byte[] ZipBombMail()
    {
        var base64 = Convert.ToBase64String(ZipBomb.Value, Base64FormattingOptions.InsertLineBreaks);
        return Encoding.ASCII.GetBytes(
            "From: Shadowserver <autoreports@shadowserver.org>\r\nTo: abuse@example.net\r\nSubject: [example.net] Shadowserver Report: SSH Scan\r\n" +
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"bomb\"\r\n\r\n--bomb\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--bomb\r\n" +
            "Content-Type: application/zip; name=\"2026-11-20-scan_ssh-asn-bomb.zip\"\r\nContent-Transfer-Encoding: base64\r\n" +
            "Content-Disposition: attachment; filename=\"2026-11-20-scan_ssh-asn-bomb.zip\"\r\n\r\n" + base64 + "\r\n--bomb--\r\n");
    }

    private static byte[] Form60Mb()
    {
        var form = new byte[60 << 20];
        Array.Fill(form, (byte)'a');
        "csrf=x&action=message&text="u8.CopyTo(form);
        return form;
    }

    private static byte[] InjectedArf() => Encoding.ASCII.GetBytes(
        "From: =?utf-8?Q?victim@example.org=0D=0ABcc:_injected@example.net?= <fbl@example.org>\r\n" +
        "Reply-To: victim@example.org\r\n Bcc: injected@example.net\r\nTo: abuse@example.net\r\nSubject: FW: spam\r\nMIME-Version: 1.0\r\n" +
        "Content-Type: multipart/report; report-type=feedback-report; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nspam report\r\n" +
        "--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: fuzz\r\nVersion: 1\r\nSource-IP: 198.51.100.9\r\n" +
        "Original-Mail-From: victim@example.org\r\n\tBcc: injected@example.net\r\nArrival-Date: Thu, 20 Nov 2026 10:00:00 +0000\r\n" +
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: victim@example.org\r\nBcc: injected@example.net\r\nSubject: buy\r\n--b--\r\n");

    /// <summary>
    /// A feed file near the size limit whose bytes are in its fields, not its rows: a few hundred events with
    /// 100 KB hostnames. Size is the hostile part; volume (hundreds of thousands of rows) is bench/e2e's business.
    /// </summary>
    private static byte[] HugeCsv(int bytes)
    {
        var text = new StringBuilder(bytes + 200_000);
        text.Append("\"timestamp\",\"ip\",\"protocol\",\"port\",\"hostname\",\"tag\",\"asn\",\"geo\"\n");
        var field = new string('h', 100_000);
        for (var i = 0; text.Length < bytes; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"\"2026-11-20 01:{i % 60:D2}:{i / 60 % 60:D2}\",\"203.0.113.{i % 250 + 1}\",\"tcp\",22,\"{field}{i}.example\",\"ssh\",64496,\"NL\"\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static byte[] HugeRecord()
    {
        var body = new byte[20 << 20];
        Array.Fill(body, (byte)'x');
        "\"timestamp\",\"ip\"\n\"2026-11-20 01:00:00\",\"198.51.100.7\"\n\""u8.CopyTo(body);
        return body;
    }

    /// <summary>JSON near the size limit: a few hundred events, each with 100 KB of evidence (the desk keeps an excerpt).</summary>
    private static byte[] HugeJson(int bytes)
    {
        var text = new StringBuilder(bytes + 200_000);
        text.Append("{\"events\":[");
        var evidence = new string('e', 100_000);
        for (var i = 0; text.Length < bytes; i++)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{(i == 0 ? "" : ",")}{{\"ip\":\"192.0.2.{i % 250 + 1}\",\"port\":{i % 65535 + 1},\"abuseClass\":\"bruteforce\",\"reportType\":\"ssh-login-attack\",\"occurredAt\":\"2026-11-20T10:00:00Z\",\"evidence\":\"{evidence}{i}\"}}");
        }

        text.Append("]}");
        return Encoding.ASCII.GetBytes(text.ToString());
    }
}
