using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace AbuseDesk.Benchmarks.EndToEnd;

/// <summary>
/// The whole app under load (bench/e2e starts Azurite, maildev and the app): one Shadowserver scan_ssh file of
/// N rows for IPs across 500 customers goes in through POST /api/reports; the clock stops when the report is
/// "parsed", i.e. every event is stored, routed and attached to its case.
/// </summary>
public static class LoadRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rows = IntArg(args, "--rows", 100_000);
        var url = StringArg(args, "--url", "http://127.0.0.1:7272");
        var opsKey = StringArg(args, "--ops-key", Environment.GetEnvironmentVariable("ABUSEDESK_OPS_KEY") ?? "");
        const int customers = 500;
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Add("x-functions-key", opsKey);

        var allocations = new StringBuilder("cidr,customerId,resourceId,contactEmail,customerSince\n");
        for (var c = 0; c < customers; c++)
        {
            allocations.Append(CultureInfo.InvariantCulture, $"45.{c / 256}.{c % 256}.0/24,cust-{c},vm-{c},noc-{c}@bench.test,2025-01-01\n");
        }

        (await http.PutAsync("/api/ops/allocations", new StringContent(allocations.ToString(), Encoding.UTF8, "text/csv"))).EnsureSuccessStatusCode();
        var reporter = JsonNode.Parse(await (await http.PostAsJsonAsync("/api/ops/reporters", new { name = "bench", wantsFeedback = false, limits = new { reportsPerMinute = 1_000_000, bytesPerDay = 1L << 40, eventsPerDay = 1L << 40 } })).Content.ReadAsStringAsync())!;
        var key = reporter["key"]!.GetValue<string>();

        var csv = ScanSshCsv(rows, customers);
        Console.WriteLine($"e2e: {rows:N0} rows, {csv.Length / 1024.0 / 1024.0:F1} MB, {customers} customers");

        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/reports") { Content = new ByteArrayContent(csv) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "text/csv");
        request.Content.Headers.TryAddWithoutValidation("Content-Disposition", "attachment; filename=\"2026-11-20-scan_ssh-asn-bench.csv\"");
        request.Headers.Add("Authorization", $"Bearer {key}");
        using var response = await http.SendAsync(request);
        var accepted = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var reportId = accepted["reportId"]!.GetValue<string>();
        var intake = clock.Elapsed;

        JsonNode status;
        while (true)
        {
            status = JsonNode.Parse(await http.GetStringAsync($"/api/reports/{reportId}"))!;
            if (status["status"]!.GetValue<string>() != "received")
            {
                break;
            }

            await Task.Delay(100);
        }

        var total = clock.Elapsed;
        var events = status["eventCount"]!.GetValue<int>();
        Console.WriteLine($"e2e: status {status["status"]}, format {status["format"]}, {events:N0} events, {status["routedCount"]} routed, error {status["error"]}");
        Console.WriteLine($"e2e: intake {intake.TotalSeconds:F2} s, stored+routed+attached {total.TotalSeconds:F2} s → {events / total.TotalSeconds:N0} events/s");
        var cases = JsonNode.Parse(await http.GetStringAsync("/api/ops/cases?customerId=cust-7"))!["cases"]!.AsArray();
        Console.WriteLine($"e2e: sample customer cust-7 has {cases.Count} case(s), {cases.Sum(c => c!["eventCount"]!.GetValue<int>())} events");
        var ok = status["status"]!.GetValue<string>() == "parsed";
        var caseRows = IntArg(args, "--case-rows", 0);
        return ok && (caseRows == 0 || await OneBigCaseAsync(http, key, caseRows)) ? 0 : 1;
    }

    /// <summary>
    /// A second file whose rows all concern one address (customer 499's): one case of that many events. Times its
    /// parse, the ops case view (first and second evidence page) and the customer's case page.
    /// </summary>
    private static async Task<bool> OneBigCaseAsync(HttpClient http, string key, int rows)
    {
        var csv = ScanSshCsv(rows, 1, "45.1.243");
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/reports") { Content = new ByteArrayContent(csv) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "text/csv");
        request.Content.Headers.TryAddWithoutValidation("Content-Disposition", "attachment; filename=\"2026-11-21-scan_ssh-asn-bench.csv\"");
        request.Headers.Add("Authorization", $"Bearer {key}");
        using var response = await http.SendAsync(request);
        var reportId = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        while (JsonNode.Parse(await http.GetStringAsync($"/api/reports/{reportId}"))!["status"]!.GetValue<string>() == "received")
        {
            await Task.Delay(100);
        }

        Console.WriteLine($"e2e: one case of {rows:N0} events parsed in {clock.Elapsed.TotalSeconds:F2} s");
        var found = JsonNode.Parse(await http.GetStringAsync("/api/ops/cases?customerId=cust-499"))!["cases"]!.AsArray();
        var big = found.OrderByDescending(c => c!["eventCount"]!.GetValue<int>()).First()!;
        var caseId = big["caseId"]!.GetValue<string>();

        clock.Restart();
        var first = JsonNode.Parse(await http.GetStringAsync($"/api/ops/cases/{caseId}"))!;
        var opsFirst = clock.Elapsed;
        var next = first["evidence"]?["next"]?.GetValue<string>();
        clock.Restart();
        var second = next is null ? null : JsonNode.Parse(await http.GetStringAsync($"/api/ops/cases/{caseId}?evidencePage={Uri.EscapeDataString(next)}"))!;
        var opsSecond = clock.Elapsed;
        Console.WriteLine($"e2e: case {caseId}: {first["eventCount"]} events, {first["evidence"]?["kept"]} kept; ops case view {opsFirst.TotalMilliseconds:F0} ms ({first["events"]!.AsArray().Count} events), next page {opsSecond.TotalMilliseconds:F0} ms ({second?["events"]!.AsArray().Count ?? 0} events)");

        // The customer's page, with a link signed by the key bench/e2e gave the app (the notice itself waits its turn
        // behind 500 others at the default send rate).
        var secret = Environment.GetEnvironmentVariable("AbuseDesk__Tokens__Keys__k1");
        if (string.IsNullOrEmpty(secret))
        {
            Console.WriteLine("e2e: AbuseDesk__Tokens__Keys__k1 not set; case page not timed");
            return true;
        }

        var token = Domain.Portal.CaseLinkToken.Create(caseId, DateTimeOffset.UtcNow.AddDays(1), "k1", Convert.FromBase64String(secret));
        var link = new Uri(http.BaseAddress!, $"/portal/cases/{token}");
        using var portal = new HttpClient();
        for (var run = 1; run <= 3; run++)
        {
            clock.Restart();
            using var page = await portal.GetAsync(link);
            var html = await page.Content.ReadAsStringAsync();
            Console.WriteLine($"e2e: case page #{run}: {(int)page.StatusCode} in {clock.Elapsed.TotalMilliseconds:F0} ms, {html.Length / 1024.0:F0} KB");
        }

        return true;
    }

    internal static byte[] ScanSshCsv(int rows, int customers, string? network = null)
    {
        var text = new StringBuilder(rows * 260);
        text.Append("\"timestamp\",\"ip\",\"protocol\",\"port\",\"hostname\",\"tag\",\"asn\",\"geo\",\"region\",\"city\",\"naics\",\"sic\",\"serial_number\",\"ssh_version\",\"version\",\"hmac\",\"cipher\",\"key_algorithm\",\"kex_algorithm\",\"host_key\"\n");
        var random = new Random(42);
        for (var i = 0; i < rows; i++)
        {
            var c = random.Next(customers);
            text.Append(CultureInfo.InvariantCulture,
                $"\"2026-11-20 0{i % 10}:{i % 60:D2}:{i % 59:D2}\",\"{network ?? $"45.{c / 256}.{c % 256}"}.{random.Next(1, 255)}\",\"tcp\",22,\"host-{i}.example\",\"ssh\",64496,\"NL\",\"NOORD-HOLLAND\",\"AMSTERDAM\",518210,0,\"{i:x8}\",2,\"OpenSSH_8.4p1 Debian-5\",\"hmac-sha2-256\",\"aes128-ctr\",\"ssh-ed25519\",\"curve25519-sha256\",\"{random.NextInt64():x16}\"\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    internal static int IntArg(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

    internal static string StringArg(string[] args, string name, string fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
