using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using AbuseDesk.Benchmarks.EndToEnd;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Benchmarks.Fuzz;

/// <summary>
/// The fuzz run's report inputs through the parser alone, in this process, one at a time: no app, no store, no
/// queue. It finds inputs that make the parser slow far faster than the run over HTTP, and it reproduces one the run
/// named: the inputs are a function of the run seed and their index (<see cref="FuzzInputs.Make"/>).
/// <code>fuzz-parse --seed 16 --index 9057,20025     (those inputs)
/// fuzz-parse --seed 16 --inputs 25000 [--top 10]     (every report input below 25,000, the slowest listed)
/// fuzz-parse --seed 16 --index 9057 --save DIR        (also kept as the run keeps a failing input, for REPLAY=DIR)</code>
/// Prints each listed input's parse time (<see cref="ReportParser.Parse"/>: events read to the end, as the handler's first pass does), its events and
/// size, and the parser's throughput over all of them.
/// </summary>
public static partial class FuzzParseRun
{
    public static int Run(string[] args)
    {
        var runSeed = LoadRun.IntArg(args, "--seed", 13);
        var count = LoadRun.IntArg(args, "--inputs", 0);
        var top = LoadRun.IntArg(args, "--top", 10);
        var only = LoadRun.StringArg(args, "--index", "");
        var save = LoadRun.StringArg(args, "--save", "");
        var repo = LoadRun.StringArg(args, "--repo", Directory.GetCurrentDirectory());
        var corpus = LoadRun.StringArg(args, "--corpus", Path.Combine(repo, "..", "shared", "corpus"));
        var inputs = new FuzzInputs(FuzzSeeds.Load(repo, corpus), new FuzzTargets("", "", "", "case", "token", "", ""), runSeed);
        var indexes = only.Length > 0
            ? only.Split(',').Select(i => int.Parse(i, CultureInfo.InvariantCulture))
            : Enumerable.Range(inputs.HostileCount, Math.Max(0, count - inputs.HostileCount));

        var timed = new List<(TimeSpan Spent, long Events, FuzzInput Input, string Outcome)>();
        long bytes = 0;
        var total = TimeSpan.Zero;
        foreach (var index in indexes)
        {
            var input = inputs.Make(index);
            if (!input.Path.StartsWith("/api/reports", StringComparison.Ordinal) || input.Method != "POST" || input.Kind == "report-auth")
            {
                continue;
            }

            if (save.Length > 0)
            {
                Directory.CreateDirectory(save);
                // As the run keeps a failing input, so that REPLAY= sends it through a fresh app.
                File.WriteAllBytes(Path.Combine(save, $"{index:D6}.body"), input.Body);
                File.WriteAllText(Path.Combine(save, $"{index:D6}.json"), System.Text.Json.JsonSerializer.Serialize(new FuzzRun.SavedInput(input with { Body = [] }, 0, null, null)));
            }

            var (spent, events, outcome) = Parse(input);
            bytes += input.Body.Length;
            total += spent;
            timed.Add((spent, events, input, outcome));
        }

        foreach (var (spent, events, input, outcome) in timed.OrderByDescending(t => t.Spent).Take(only.Length > 0 ? int.MaxValue : top))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fuzz-parse: {spent.TotalSeconds,7:F2} s  input {input.Index}  {input.Body.Length,11:N0} bytes of {Shorten(input.ContentType)}  {events:N0} events  {outcome}  {input.Kind}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fuzz-parse: {timed.Count:N0} report inputs, {bytes / 1e6:F1} MB in {total.TotalSeconds:F1} s ({bytes / 1e6 / Math.Max(total.TotalSeconds, 1e-9):F1} MB/s), slowest {(timed.Count > 0 ? timed.Max(t => t.Spent).TotalSeconds : 0):F2} s"));
        return 0;
    }

    private static (TimeSpan Spent, long Events, string Outcome) Parse(FuzzInput input)
    {
        var fileName = input.Headers?.FirstOrDefault(h => h.Key == "Content-Disposition").Value is { } disposition
            && FileNameIn().Match(disposition) is { Success: true } match ? Uri.UnescapeDataString(match.Groups[1].Value) : null;
        var hint = input.Path.Contains("?report=", StringComparison.Ordinal) ? Uri.UnescapeDataString(input.Path[(input.Path.IndexOf('=') + 1)..]) : null;
        var started = Stopwatch.GetTimestamp();
        ParseOutcome parsed;
        using (var content = new MemoryStream(input.Body, writable: false))
        {
            parsed = ReportParser.Parse(content, new ReportInput(input.ContentType ?? "", fileName, hint));
        }

        var spent = Stopwatch.GetElapsedTime(started);
        var outcome = parsed.Ignored ? "ignored" : parsed.Error is { } error ? $"failed: {error[..Math.Min(error.Length, 60)]}" : $"parsed as {parsed.Format}";
        return (spent, parsed.Events.Count, outcome);
    }

    private static string Shorten(string? text) => text is null ? "(none)" : text.Length <= 40 ? text : text[..40] + "…";

    [GeneratedRegex("filename\\*?=(?:UTF-8'')?\"?([^\";]*)", RegexOptions.CultureInvariant)]
    private static partial Regex FileNameIn();
}
