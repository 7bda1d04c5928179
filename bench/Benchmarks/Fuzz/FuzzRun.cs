using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AbuseDesk.Benchmarks.EndToEnd;
using AbuseDesk.Domain.Portal;
using Azure.Data.Tables;

namespace AbuseDesk.Benchmarks.Fuzz;

/// <summary>
/// The fuzz run (bench/fuzz starts Azurite, maildev and the app): N inputs, the hostile cases first, then seeded
/// mutations, at bounded concurrency. Afterwards it waits up to two minutes for every accepted report to be
/// final, reads the app's log for exceptions, and checks maildev for mail to the injected address.
/// </summary>
public static class FuzzRun
{
    private static readonly string[] Final = ["parsed", "failed", "ignored"];

    public static async Task<int> RunAsync(string[] args)
    {
        var url = LoadRun.StringArg(args, "--url", "http://127.0.0.1:7671");
        var opsKey = LoadRun.StringArg(args, "--ops-key", "bench-ops-key");
        var storage = LoadRun.StringArg(args, "--storage", "");
        var appLog = LoadRun.StringArg(args, "--app-log", "");
        var tokenKey = Convert.FromBase64String(LoadRun.StringArg(args, "--token-key", ""));
        var failures = LoadRun.StringArg(args, "--failures", Path.Combine(Path.GetTempPath(), "abusedesk-fuzz-failures"));
        var maildev = LoadRun.StringArg(args, "--maildev", "http://127.0.0.1:1680");
        var replay = LoadRun.StringArg(args, "--replay", "");
        var count = LoadRun.IntArg(args, "--inputs", 100_000);
        var runSeed = LoadRun.IntArg(args, "--seed", 13);
        var concurrency = LoadRun.IntArg(args, "--concurrency", 8);
        var waitFinal = TimeSpan.FromSeconds(LoadRun.IntArg(args, "--final-wait", 120));
        // On a shared machine the input count may not fit the time there is: a budget stops the sending early, and
        // the last line then says how many inputs were really sent.
        var minutes = LoadRun.IntArg(args, "--minutes", 0);

        using var ops = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
        ops.DefaultRequestHeaders.Add("x-functions-key", opsKey);
        var targets = await SetUpAsync(ops, opsKey, tokenKey);
        Console.WriteLine($"fuzz: reporter {targets.ReporterId}, case {targets.CaseId}");
        using var client = new FuzzClient(new Uri(url), targets.ReporterKey, opsKey, concurrency * 2);
        Directory.CreateDirectory(failures);

        if (replay.Length > 0)
        {
            return await ReplayAsync(client, replay, appLog);
        }

        var repo = LoadRun.StringArg(args, "--repo", Directory.GetCurrentDirectory());
        var corpus = LoadRun.StringArg(args, "--corpus", Path.Combine(repo, "..", "shared", "corpus"));
        var seeds = FuzzSeeds.Load(repo, corpus);
        Console.WriteLine($"fuzz: {seeds.Count} seeds ({(Directory.Exists(corpus) ? corpus : "no external corpus")}), {count:N0} inputs, concurrency {concurrency}, seed {runSeed}, failures → {failures}");
        Console.WriteLine($"fuzz: zip bomb {FuzzInputs.ZipBomb.Value.Length / 1024.0 / 1024.0:F2} MB");
        var inputs = new FuzzInputs(seeds, targets, runSeed);

        var statuses = new ConcurrentDictionary<int, int>();
        var serverErrors = new ConcurrentDictionary<string, int>();
        var accepted = new ConcurrentDictionary<string, int>();
        var hostileLines = new ConcurrentBag<string>();
        int done = 0, fiveHundreds = 0, tooMany = 0, noAnswer = 0;
        var clock = Stopwatch.StartNew();
        using var progress = new Timer(_ => Console.WriteLine(
            $"fuzz: {clock.Elapsed:mm\\:ss} {Volatile.Read(ref done):N0}/{count:N0} ({Volatile.Read(ref done) / clock.Elapsed.TotalSeconds:F0}/s), accepted {accepted.Count:N0}, 5xx {Volatile.Read(ref fiveHundreds)}, 429 {Volatile.Read(ref tooMany)}, no answer {Volatile.Read(ref noAnswer)}"),
            null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));

        using var budget = minutes > 0 ? new CancellationTokenSource(TimeSpan.FromMinutes(minutes)) : new CancellationTokenSource();
        var sent = 0;
        try
        {
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = budget.Token }, async (index, _) =>
        {
            FuzzInput input;
            try
            {
                input = inputs.Make(index);
            }
            catch (Exception ex)
            {
                // A mutator bug is ours, not the app's: say so and go on, it is not an input the app saw.
                Console.WriteLine($"fuzz: input {index} could not be made: {ex}");
                Interlocked.Increment(ref done);
                return;
            }

            var outcome = await client.SendAsync(input);
            statuses.AddOrUpdate(outcome.Status, 1, (_, n) => n + 1);
            if (outcome.ReportId is { } reportId)
            {
                accepted.TryAdd(reportId, index);
            }

            if (input.Kind.StartsWith("hostile:", StringComparison.Ordinal))
            {
                hostileLines.Add($"  {input.Kind,-45} → {(outcome.Status == 0 ? outcome.Failure : outcome.Status.ToString(CultureInfo.InvariantCulture))} in {outcome.Elapsed.TotalSeconds:F1} s{(outcome.ReportId is { } id ? $" (report {id})" : "")}");
            }

            if (outcome.Status >= 500)
            {
                Interlocked.Increment(ref fiveHundreds);
                serverErrors.AddOrUpdate($"{outcome.Status} {input.Kind.Split(':')[0]} {input.Method} {input.Path.Split('?')[0].Split('/').Take(4).Aggregate((a, b) => a + "/" + b)}", 1, (_, n) => n + 1);
                await SaveAsync(failures, input, outcome);
            }
            else if (outcome.Status == 429)
            {
                Interlocked.Increment(ref tooMany);
            }
            else if (outcome.Status == 0)
            {
                Interlocked.Increment(ref noAnswer);
                await SaveAsync(failures, input, outcome);
            }

            Interlocked.Increment(ref done);
            Interlocked.Increment(ref sent);
        });
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            Console.WriteLine($"fuzz: the {minutes}-minute budget is spent: {sent:N0} of {count:N0} inputs sent");
        }

        var sendTime = clock.Elapsed;
        progress.Change(Timeout.Infinite, Timeout.Infinite);
        Console.WriteLine($"fuzz: {sent:N0} inputs in {sendTime.TotalSeconds:F0} s ({sent / sendTime.TotalSeconds:F1}/s); {accepted.Count:N0} distinct reports accepted");
        Console.WriteLine("fuzz: hostile cases:");
        foreach (var line in hostileLines.Order(StringComparer.Ordinal))
        {
            Console.WriteLine(line);
        }

        Console.WriteLine("fuzz: statuses " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(s.Key == 0 ? "no answer" : s.Key.ToString(CultureInfo.InvariantCulture))}: {s.Value:N0}")));
        foreach (var (what, n) in serverErrors.OrderByDescending(e => e.Value))
        {
            Console.WriteLine($"fuzz: 5xx {n,6} × {what}");
        }

        // Every accepted report must reach a final status; those that have not two minutes after the run are stuck.
        var reports = new TableClient(storage, "reports");
        var (notFinal, slowest) = await WaitFinalAsync(reports, accepted, waitFinal, inputs, failures);

        var (exceptions, groups, handled) = ReadLog(appLog, failures);
        foreach (var (first, n) in groups.OrderByDescending(g => g.Value).Take(20))
        {
            Console.WriteLine($"fuzz: log {n,6} × {first}");
        }

        var injected = await InjectedMailsAsync(maildev);
        Console.WriteLine($"fuzz: mails delivered to {FuzzInputs.InjectedAddress}: {injected?.ToString(CultureInfo.InvariantCulture) ?? "maildev not readable"}");
        Console.WriteLine($"fuzz: 429 answers: {tooMany:N0}; no answer (transport failures): {noAnswer:N0}; saved inputs: {failures}");
        var slowestParse = double.NaN;
        var slowestHandled = double.NaN;
        if (handled.Count > 0)
        {
            var total = handled.Select(h => h.Handled).Order().ToList();
            var reading = handled.Select(h => h.Reading).Order().ToList();
            Console.WriteLine($"fuzz: parse handler time over {total.Count:N0} deliveries: p50 {total[total.Count / 2] / 1000.0:F2} s, p99 {total[(int)(total.Count * 0.99)] / 1000.0:F2} s, max {total[^1] / 1000.0:F2} s");
            Console.WriteLine($"fuzz: of it reading and routing (the parser's own part): p50 {reading[reading.Count / 2] / 1000.0:F2} s, p99 {reading[(int)(reading.Count * 0.99)] / 1000.0:F2} s, max {reading[^1] / 1000.0:F2} s");
            foreach (var (reportId, spent, read) in handled.OrderByDescending(h => h.Handled).Take(5))
            {
                Console.WriteLine($"fuzz: slow delivery: report {reportId} {spent / 1000.0:F1} s, {read / 1000.0:F1} s of it reading and routing");
            }

            slowestParse = reading[^1] / 1000.0;
            slowestHandled = total[^1] / 1000.0;
        }

        // The slowest parse is the parser's time in the handler (both passes reading and routing, from the app's log);
        // the handler's whole time adds storing the events, which grows with their number and the store's load, and
        // time to final adds the queue wait behind the fuzzer's own flood: both are printed beside it.
        Console.WriteLine($"inputs: {sent}, 5xx: {fiveHundreds}, unhandled exceptions: {exceptions}, not final after 2 min: {notFinal}, slowest parse: {slowestParse:F1} s, slowest handling (storing included): {slowestHandled:F1} s, slowest to final (queue wait included): {slowest.TotalSeconds:F1} s");
        return fiveHundreds == 0 && exceptions == 0 && notFinal == 0 && injected is 0 or null ? 0 : 1;
    }

    private static async Task<FuzzTargets> SetUpAsync(HttpClient ops, string opsKey, byte[] tokenKey)
    {
        (await ops.PutAsync("/api/ops/allocations", new StringContent(FuzzInputs.AllocationsCsv, Encoding.UTF8, "text/csv"))).EnsureSuccessStatusCode();
        var created = await ops.PostAsJsonAsync("/api/ops/reporters", new { name = "fuzz", contactEmail = "fuzz-reporter@example.org", wantsFeedback = true, limits = new { reportsPerMinute = 1_000_000, bytesPerDay = 1L << 40, eventsPerDay = 1L << 40 } });
        created.EnsureSuccessStatusCode();
        var reporter = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        var key = reporter["key"]!.GetValue<string>();

        // One real case, so portal inputs can carry a valid link and form secret as well as forged ones.
        using var report = new HttpRequestMessage(HttpMethod.Post, "/api/reports")
        {
            Content = new StringContent("{\"events\":[{\"ip\":\"198.51.100.7\",\"port\":22,\"abuseClass\":\"bruteforce\",\"reportType\":\"ssh-login-attack\",\"occurredAt\":\"2026-11-20T10:00:00Z\",\"evidence\":\"fuzz set-up\"}]}", Encoding.UTF8, "application/json"),
        };
        report.Headers.Add("Authorization", $"Bearer {key}");
        (await ops.SendAsync(report)).EnsureSuccessStatusCode();
        string? caseId = null;
        for (var i = 0; i < 600 && caseId is null; i++)
        {
            var cases = JsonNode.Parse(await ops.GetStringAsync("/api/ops/cases?customerId=cust-1"))!["cases"]!.AsArray();
            caseId = cases.FirstOrDefault()?["caseId"]?.GetValue<string>();
            if (caseId is null)
            {
                await Task.Delay(100);
            }
        }

        if (caseId is null)
        {
            throw new InvalidOperationException("the set-up report opened no case within 60 s");
        }

        var now = DateTimeOffset.UtcNow;
        var token = CaseLinkToken.Create(caseId, now, now.AddDays(30), "k1", tokenKey);
        const string cookie = "fuzzcookie0123456789abcdef";
        return new FuzzTargets(key, reporter["reporterId"]!.GetValue<string>(), opsKey, caseId, token, cookie, CaseLinkToken.FormSecret(token + "|" + cookie, tokenKey));
    }

    /// <summary>
    /// Polls the report rows (the app's own record) until every accepted report is final or the wait is over.
    /// The parse time of a report is its row's last write (Timestamp, the write that made it final) minus receivedAt.
    /// </summary>
    private static async Task<(int NotFinal, TimeSpan Slowest)> WaitFinalAsync(TableClient reports, ConcurrentDictionary<string, int> accepted, TimeSpan wait, FuzzInputs inputs, string failures)
    {
        var deadline = Stopwatch.StartNew();
        List<TableEntity> rows;
        while (true)
        {
            rows = [];
            await foreach (var row in reports.QueryAsync<TableEntity>(maxPerPage: 1000))
            {
                if (accepted.ContainsKey(row.PartitionKey))
                {
                    rows.Add(row);
                }
            }

            var pending = accepted.Count - rows.Count(r => Final.Contains(r.GetString("Status")));
            Console.WriteLine($"fuzz: {deadline.Elapsed.TotalSeconds:F0} s after the run: {pending:N0} of {accepted.Count:N0} accepted reports not final");
            if (pending == 0 || deadline.Elapsed >= wait)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(5));
        }

        var stuck = accepted.Keys.Except(rows.Where(r => Final.Contains(r.GetString("Status"))).Select(r => r.PartitionKey)).ToList();
        foreach (var reportId in stuck.Take(50))
        {
            var input = inputs.Make(accepted[reportId]);
            await SaveAsync(failures, input, new FuzzOutcome(202, reportId, $"report {reportId} not final {wait.TotalSeconds:F0} s after the run", TimeSpan.Zero));
            Console.WriteLine($"fuzz: not final: report {reportId} from input {input.Index} ({input.Kind}, {input.Body.Length:N0} bytes)");
        }

        var timed = rows.Where(r => Final.Contains(r.GetString("Status")) && r.Timestamp is not null && r.GetDateTimeOffset("ReceivedAt") is not null)
            .Select(r => (Row: r, Took: r.Timestamp!.Value - r.GetDateTimeOffset("ReceivedAt")!.Value))
            .OrderByDescending(t => t.Took)
            .ToList();
        foreach (var (row, took) in timed.Take(5))
        {
            var input = inputs.Make(accepted[row.PartitionKey]);
            Console.WriteLine($"fuzz: slow parse {took.TotalSeconds,7:F1} s: report {row.PartitionKey} {row.GetString("Status")} {row.GetString("Format")}, {row.GetInt64("Size"):N0} bytes of {row.GetString("ContentType")}, {row.GetInt32("EventCount"):N0} events, input {input.Index} {input.Kind}");
        }

        if (timed.Count > 0)
        {
            var sorted = timed.Select(t => t.Took.TotalSeconds).Order().ToList();
            Console.WriteLine($"fuzz: parse time over {sorted.Count:N0} reports: p50 {sorted[sorted.Count / 2]:F1} s, p99 {sorted[(int)(sorted.Count * 0.99)]:F1} s, max {sorted[^1]:F1} s (queue wait included)");
        }

        return (stuck.Count, timed.Count > 0 ? timed[0].Took : TimeSpan.Zero);
    }

    /// <summary>
    /// Counts log entries that carry an exception or an error: a console-logger entry starts with its level
    /// ("fail: ", "warn: "...) and its exception follows on the indented lines. Warnings count only when they carry
    /// a stack trace (a retried trigger failure is still an exception the fuzz caused).
    /// </summary>
    private static (int Count, Dictionary<string, int> Groups, List<(string ReportId, long Handled, long Reading)> Handled) ReadLog(string appLog, string failures)
    {
        var groups = new Dictionary<string, int>();
        var handled = new List<(string, long, long)>();
        if (appLog.Length == 0 || !File.Exists(appLog))
        {
            Console.WriteLine("fuzz: no app log to read");
            return (0, groups, handled);
        }

        var entries = new List<List<string>>();
        using (var file = new FileStream(appLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        using (var reader = new StreamReader(file))
        {
            while (reader.ReadLine() is { } line)
            {
                if (line.Length > 6 && line[4] == ':' && line[5] == ' ' && line[..4] is "trce" or "dbug" or "info" or "warn" or "fail" or "crit")
                {
                    entries.Add([line]);
                }
                else if (entries.Count > 0)
                {
                    entries[^1].Add(line);
                }
            }
        }

        foreach (var entry in entries)
        {
            // The message follows the header, after the scope line when scopes are on.
            if (entry.Skip(1).Take(2).Select(l => HandledIn.Match(l)).FirstOrDefault(m => m.Success) is { } match)
            {
                handled.Add((match.Groups[1].Value, long.Parse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture), long.Parse(match.Groups[3].ValueSpan, CultureInfo.InvariantCulture)));
            }
        }

        var bad = entries.Where(e => e[0].StartsWith("fail", StringComparison.Ordinal) || e[0].StartsWith("crit", StringComparison.Ordinal)
            || (e[0].StartsWith("warn", StringComparison.Ordinal) && e.Any(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal)))).ToList();
        var output = new StringBuilder();
        foreach (var entry in bad)
        {
            var exception = entry.FirstOrDefault(l => l.Contains("Exception", StringComparison.Ordinal) && !l.TrimStart().StartsWith("at ", StringComparison.Ordinal))?.Trim() ?? "";
            var message = entry.Count > 1 ? entry[1].Trim() : "";
            var key = $"{entry[0]} | {Truncate(message, 100)} | {Truncate(exception, 160)}";
            groups[key] = groups.GetValueOrDefault(key) + 1;
            output.AppendJoin('\n', entry).Append('\n');
        }

        File.WriteAllText(Path.Combine(failures, "app-exceptions.log"), output.ToString());
        return (bad.Count, groups, handled);
    }

    /// <summary>ParseReport's line after each delivery: "Report {id} handled in {ms} ms, {ms} ms of it reading and routing".</summary>
    private static readonly Regex HandledIn = new(@"^\s*Report (\S+) handled in (\d+) ms, (\d+) ms of it reading", RegexOptions.CultureInvariant);

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "…";

    /// <summary>Mails whose envelope or headers name the injected address: a header injection that worked.</summary>
    private static async Task<int?> InjectedMailsAsync(string maildev)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            var mails = JsonNode.Parse(await http.GetStringAsync($"{maildev}/api/email"))!.AsArray();
            return mails.Count(mail => new[] { mail?["envelope"]?["to"], mail?["to"], mail?["cc"], mail?["bcc"] }
                .Any(list => list is JsonArray array && array.Any(a => a?["address"]?.GetValue<string>()?.Contains(FuzzInputs.InjectedAddress, StringComparison.OrdinalIgnoreCase) == true)));
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or InvalidOperationException or TaskCanceledException)
        {
            return null;
        }
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static readonly SemaphoreSlim SaveLimit = new(1);

    /// <summary>Keeps a failing input as {index}.json (request and outcome) and {index}.body (the bytes).</summary>
    private static async Task SaveAsync(string folder, FuzzInput input, FuzzOutcome outcome)
    {
        await SaveLimit.WaitAsync();
        try
        {
            var name = $"{input.Index:D6}";
            await File.WriteAllBytesAsync(Path.Combine(folder, name + ".body"), input.Body);
            var saved = new SavedInput(input with { Body = [] }, outcome.Status, outcome.Failure, outcome.ReportId);
            await File.WriteAllTextAsync(Path.Combine(folder, name + ".json"), JsonSerializer.Serialize(saved, Indented));
        }
        finally
        {
            SaveLimit.Release();
        }
    }

    public sealed record SavedInput(FuzzInput Input, int Status, string? Failure, string? ReportId);

    private static async Task<int> ReplayAsync(FuzzClient client, string path, string appLog)
    {
        var files = Directory.Exists(path) ? Directory.GetFiles(path, "*.json").Order(StringComparer.Ordinal).ToArray() : [path];
        var failed = 0;
        foreach (var file in files)
        {
            var saved = JsonSerializer.Deserialize<SavedInput>(await File.ReadAllTextAsync(file))!;
            var input = saved.Input with { Body = await File.ReadAllBytesAsync(Path.ChangeExtension(file, ".body")) };
            var outcome = await client.SendAsync(input);
            failed += outcome.Status is >= 500 or 0 ? 1 : 0;
            Console.WriteLine($"replay: {Path.GetFileName(file)} {input.Kind} {input.Method} {input.Path} → {(outcome.Status == 0 ? outcome.Failure : outcome.Status)} (was {saved.Status}){(outcome.ReportId is { } id ? $" report {id}" : "")}");
        }

        await Task.Delay(TimeSpan.FromSeconds(5));
        var (exceptions, groups, _) = ReadLog(appLog, Path.GetTempPath());
        foreach (var (first, n) in groups)
        {
            Console.WriteLine($"replay: log {n} × {first}");
        }

        Console.WriteLine($"replay: {files.Length} inputs, 5xx or no answer: {failed}, exceptions logged: {exceptions}");
        return failed == 0 && exceptions == 0 ? 0 : 1;
    }
}
