using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AbuseDesk.Benchmarks.EndToEnd;

namespace AbuseDesk.Benchmarks.Intake;

/// <summary>One report as a reporter would send it.</summary>
public sealed record IntakeReport(string Kind, byte[] Body, string ContentType, string? FileName);

/// <summary>
/// Intake under load (bench/intake starts Azurite, maildev and the app): N distinct reports (ARF mails, XARF v4
/// JSON, small Shadowserver CSVs, in turn) from C concurrent clients. The clock of a report is its POST, request
/// sent to answer read; throughput is reports over the wall time of the whole burst. Then one report posted 50
/// times at once must come back with one report id: the duplicate check under a race.
/// </summary>
public static class IntakeRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = LoadRun.IntArg(args, "--reports", 2000);
        var clients = LoadRun.IntArg(args, "--clients", 16);
        var same = LoadRun.IntArg(args, "--same", 50);
        var url = LoadRun.StringArg(args, "--url", "http://127.0.0.1:7771");
        var opsKey = LoadRun.StringArg(args, "--ops-key", "bench-ops-key");
        const int customers = 50;

        using var ops = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
        ops.DefaultRequestHeaders.Add("x-functions-key", opsKey);
        var allocations = new StringBuilder("cidr,customerId,resourceId,contactEmail,customerSince\n");
        for (var c = 0; c < customers; c++)
        {
            allocations.Append(CultureInfo.InvariantCulture, $"45.0.{c}.0/24,cust-{c},vm-{c},noc-{c}@bench.test,2024-01-01\n");
        }

        (await ops.PutAsync("/api/ops/allocations", new StringContent(allocations.ToString(), Encoding.UTF8, "text/csv"))).EnsureSuccessStatusCode();
        var created = await ops.PostAsJsonAsync("/api/ops/reporters", new { name = "intake-bench", wantsFeedback = false, limits = new { reportsPerMinute = 1_000_000, bytesPerDay = 1L << 40, eventsPerDay = 1L << 40 } });
        created.EnsureSuccessStatusCode();
        var reporter = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        var key = reporter["key"]!.GetValue<string>();
        // This branch has no per-reporter rate limit to lift; if one appears, a 429 is counted apart from errors.

        var reports = Enumerable.Range(0, count).Select(i => Make(i, customers)).ToList();
        Console.WriteLine($"intake: {count:N0} reports ({string.Join(", ", reports.GroupBy(r => r.Kind).Select(g => $"{g.Count()} {g.Key}"))}), {reports.Sum(r => r.Body.Length) / 1024.0:N0} KB, {clients} clients");

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
        var latencies = new ConcurrentBag<double>();
        var statuses = new ConcurrentDictionary<string, int>();
        int errors = 0, tooMany = 0, duplicates = 0;
        var wall = Stopwatch.StartNew();
        await Parallel.ForEachAsync(reports, new ParallelOptions { MaxDegreeOfParallelism = clients }, async (report, _) =>
        {
            var clock = Stopwatch.StartNew();
            var (status, body) = await PostAsync(http, key, report);
            latencies.Add(clock.Elapsed.TotalMilliseconds);
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (status == "429")
            {
                Interlocked.Increment(ref tooMany);
            }
            else if (status == "200")
            {
                // Distinct bytes must never be taken for a duplicate.
                Interlocked.Increment(ref duplicates);
                Interlocked.Increment(ref errors);
            }
            else if (status != "202")
            {
                Interlocked.Increment(ref errors);
                Console.WriteLine($"intake: {report.Kind} → {status} {body[..Math.Min(200, body.Length)]}");
            }
        });
        var elapsed = wall.Elapsed;
        var sorted = latencies.Order().ToList();
        Console.WriteLine($"intake: statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}; taken for duplicates: {duplicates}; 429: {tooMany}");
        Console.WriteLine($"intake: {count} POSTs in {elapsed.TotalSeconds:F1} s; latency p50 {Percentile(sorted, 0.50):F0} ms, p90 {Percentile(sorted, 0.90):F0} ms, p99 {Percentile(sorted, 0.99):F0} ms, max {sorted[^1]:F0} ms");

        // The same bytes 50 times at once: every answer must name the one report the first created.
        var once = Make(count + 1, customers);
        using var start = new ManualResetEventSlim();
        var racing = Enumerable.Range(0, same).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await PostAsync(http, key, once);
        })).ToList();
        await Task.Delay(200);
        start.Set();
        var answers = await Task.WhenAll(racing);
        var ids = answers.Select(a => JsonNode.Parse(a.Body)?["reportId"]?.GetValue<string>()).Where(id => id is not null).Distinct().ToList();
        var raceErrors = answers.Count(a => a.Status is not ("200" or "202"));
        Console.WriteLine($"intake: same report x{same}: {string.Join(", ", answers.GroupBy(a => a.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"))}; ids: {string.Join(", ", ids)}; new (202): {answers.Count(a => a.Status == "202")}");

        Console.WriteLine($"reports: {count}, clients: {clients}, throughput: {count / elapsed.TotalSeconds:F0}/s, p50: {Percentile(sorted, 0.50):F0} ms, p99: {Percentile(sorted, 0.99):F0} ms, errors: {errors}, same report x{same} -> ids: {ids.Count}");
        return ids.Count == 1 && raceErrors == 0 && errors == 0 ? 0 : 1;
    }

    private static async Task<(string Status, string Body)> PostAsync(HttpClient http, string key, IntakeReport report)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/reports") { Content = new ByteArrayContent(report.Body) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", report.ContentType);
            if (report.FileName is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Disposition", $"attachment; filename=\"{report.FileName}\"");
            }

            request.Headers.Add("Authorization", $"Bearer {key}");
            using var response = await http.SendAsync(request);
            return (((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync());
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return ("no answer", ex.Message);
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))];

    /// <summary>Report i: an ARF mail, an XARF v4 document or a small feed file, about an IP of one of the customers.</summary>
    internal static IntakeReport Make(int i, int customers)
    {
        var ip = $"45.0.{i % customers}.{i / customers % 250 + 1}";
        var at = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero).AddSeconds(i * 7);
        switch (i % 3)
        {
            case 0:
                var date = at.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture);
                return new IntakeReport("ARF", Encoding.ASCII.GetBytes(
                    $"From: Feedback Loop <fbl@reporter.example>\r\nTo: abuse@hosting.example\r\nSubject: FW: offer {i}\r\nDate: {date}\r\n" +
                    $"Message-ID: <fbl-{i}@reporter.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=\"b{i}\"\r\n\r\n" +
                    $"--b{i}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nAn abuse report for a message received from {ip} on {date}.\r\n\r\n" +
                    $"--b{i}\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: BenchFBL/1.0\r\nVersion: 1\r\n" +
                    $"Original-Mail-From: <news@shop{i}.example>\r\nOriginal-Rcpt-To: <user{i}@reporter.example>\r\nArrival-Date: {date}\r\nSource-IP: {ip}\r\nReported-Domain: shop{i}.example\r\n\r\n" +
                    $"--b{i}\r\nContent-Type: text/rfc822-headers\r\n\r\nReceived: from mail.shop{i}.example ([{ip}]) by mx.reporter.example; {date}\r\nFrom: <news@shop{i}.example>\r\n" +
                    $"To: <user{i}@reporter.example>\r\nSubject: offer {i}\r\nMessage-ID: <offer-{i}@shop{i}.example>\r\n\r\n--b{i}--\r\n"),
                    "message/rfc822", null);
            case 1:
                var json = new JsonObject
                {
                    ["xarf_version"] = "4.1.0",
                    ["report_id"] = new Guid(i, 13, 13, 0, 0, 0, 0, 0, 0, 0, 0).ToString(),
                    ["timestamp"] = at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                    ["reporter"] = new JsonObject { ["org"] = "Bench Honeypots", ["contact"] = "abuse@honeypots.example", ["domain"] = "honeypots.example" },
                    ["source_identifier"] = ip,
                    ["source_port"] = 40000 + i % 20000,
                    ["category"] = "connection",
                    ["type"] = "login_attack",
                    ["protocol"] = "tcp",
                    ["first_seen"] = at.AddMinutes(-30).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                    ["destination_ip"] = "203.0.113.9",
                    ["destination_port"] = 22,
                    ["service"] = "ssh",
                    ["attempt_count"] = 10 + i % 500,
                };
                return new IntakeReport("XARF", Encoding.UTF8.GetBytes(json.ToJsonString()), "application/json", null);
            default:
                var csv = new StringBuilder("\"timestamp\",\"ip\",\"protocol\",\"port\",\"hostname\",\"tag\",\"asn\",\"geo\",\"region\",\"city\"\n");
                for (var row = 0; row < 3 + i % 6; row++)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"\"{at.AddSeconds(row):yyyy-MM-dd HH:mm:ss}\",\"45.0.{(i + row) % customers}.{(i / customers + row) % 250 + 1}\",\"tcp\",22,\"h{i}-{row}.example\",\"ssh\",64496,\"NL\",\"NOORD-HOLLAND\",\"AMSTERDAM\"\n");
                }

                return new IntakeReport("CSV", Encoding.UTF8.GetBytes(csv.ToString()), "text/csv", $"2026-11-20-scan_ssh-asn-bench{i}.csv");
        }
    }
}
