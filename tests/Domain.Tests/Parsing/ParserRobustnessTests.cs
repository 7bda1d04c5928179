using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using AbuseDesk.Domain.Parsing;
using Xunit.Abstractions;

namespace AbuseDesk.Domain.Tests.Parsing;

/// <summary>
/// Seeded fuzzing of <see cref="ReportParser"/>: every corpus file and every mail sample written for the
/// tests is mutated many times (bit flips, truncation, repeated and removed lines, huge header lines,
/// deep multipart nesting, random bytes, spliced-in pieces of other reports, floods of addresses) and
/// parsed with its content type. Whatever the bytes, the parser answers with events or a reason, keeps
/// evidence bounded and produces no more events than the input can describe. Seeds derive from the
/// file name and the mutation number, so a failure names what to replay.
/// </summary>
public class ParserRobustnessTests(ITestOutputHelper output)
{
    private const int MutationsPerFile = 20;
    private const int ExamplesPerProblem = 5;

    private const string PlainMailWithIp =
        "From: a@b.example\r\nTo: abuse@hosting.example\r\nSubject: spam\r\nContent-Type: text/plain\r\n\r\nspam from 192.0.2.1\r\n";

    /// <summary>A report of n bytes describes at most n / 4 events ("1.2.3.4\n" is 8 bytes), plus a few fixed ones.</summary>
    private static int MaxEvents(int inputBytes) => 16 + (inputBytes / 4);

    private static readonly (string Folder, string Pattern, string ContentType)[] CorpusInputs =
    [
        ("mail", "*.eml", "message/rfc822"),
        ("arf", "*.eml", "message/rfc822"),
        ("shadowserver", "*.csv", "text/csv"),
        ("xarf-v4", "*.json", "application/json"),
        ("xarf-v3", "*.json", "application/json"),
    ];

    private static readonly Mutation[] Mutations =
    [
        new("flip-bits", FlipBits),
        new("truncate", Truncate),
        new("duplicate-lines", DuplicateLines),
        new("remove-lines", RemoveLines),
        new("huge-line", HugeLine),
        new("nested-multiparts", NestedMultiparts),
        new("random-bytes", RandomBytes),
        new("address-flood", AddressFlood),
        new("transfer-encodings", TransferEncodings),
    ];

    [Fact]
    public void Mutated_reports_never_break_the_parser()
    {
        var inputs = Inputs();
        Assert.True(inputs.Count > 100, $"expected the corpus and the mail samples, found {inputs.Count} files");

        var failures = new ConcurrentBag<Failure>();
        var parsed = 0;
        var stopwatch = Stopwatch.StartNew();
        var cases = inputs.SelectMany(input => Enumerable.Range(0, MutationsPerFile + 1).Select(n => (Input: input, Number: n)));
        Parallel.ForEach(cases, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, item =>
        {
            var (bytes, applied) = Mutate(item.Input, item.Number, inputs);
            var problem = Check(bytes, item.Input.ContentType, item.Input.Name);
            Interlocked.Increment(ref parsed);
            if (problem is not null)
            {
                failures.Add(new Failure(problem, $"{item.Input.Name} #{item.Number} [{applied}] ({bytes.Length} bytes)"));
            }
        });
        stopwatch.Stop();

        output.WriteLine($"{parsed} inputs from {inputs.Count} files ({MutationsPerFile} mutations each plus the original) in {stopwatch.Elapsed.TotalSeconds:F1} s");
        Assert.True(failures.IsEmpty, $"{failures.Count} inputs broke the parser (replay: file and mutation number):{Environment.NewLine}{Grouped(failures)}");
    }

    [Fact]
    public void Deeply_nested_and_oversized_mails_are_answered()
    {
        var mail = Encoding.UTF8.GetBytes(PlainMailWithIp);
        var random = new Random(20261120);
        var hostile = new[]
        {
            NestedMultiparts(random, mail, []),
            HugeLine(random, mail, []),
            AddressFlood(random, mail, []),
            Encoding.UTF8.GetBytes("Content-Type: multipart/mixed; boundary=x\n\n" + string.Concat(Enumerable.Repeat("--x\nContent-Type: multipart/mixed; boundary=x\n\n", 20_000))),
        };

        foreach (var bytes in hostile)
        {
            Assert.Null(Check(bytes, "message/rfc822", "hostile.eml"));
        }
    }

    /// <summary>Failures grouped by kind of problem (numbers blanked), with a few inputs each to replay.</summary>
    private static string Grouped(IEnumerable<Failure> failures) =>
        string.Join(Environment.NewLine, failures
            .GroupBy(f => new string(f.Problem.Select(c => char.IsAsciiDigit(c) ? '#' : c).ToArray()))
            .OrderByDescending(g => g.Count())
            .Select(g => $"{g.Count()} x {g.Key}{Environment.NewLine}    "
                + string.Join($"{Environment.NewLine}    ", g.Select(f => $"{f.Input}: {f.Problem}").Order(StringComparer.Ordinal).Take(ExamplesPerProblem))));

    /// <summary>Null when the parser's answer is sound; otherwise what is wrong with it.</summary>
    private static string? Check(byte[] bytes, string contentType, string fileName)
    {
        ParseOutcome outcome;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            outcome = ReportParser.Parse(stream, new ReportInput(contentType, fileName));
        }
        catch (Exception ex)
        {
            return $"exception escaped: {ex.GetType().Name}: {ex.Message}";
        }

        if (outcome.Failed)
        {
            if (string.IsNullOrWhiteSpace(outcome.Error))
            {
                return "failed without a reason";
            }

            // ReportParser turns a parser's exception into this failure so the report is kept; on any input
            // it is still a bug in the parser that threw.
            return outcome.Error.StartsWith("the report could not be parsed (", StringComparison.Ordinal)
                ? $"a parser threw: {outcome.Error}"
                : null;
        }

        if (outcome.Ignored)
        {
            // A mail that is no report (a bounce, an auto-reply) is kept with the reason and has no events.
            return string.IsNullOrWhiteSpace(outcome.IgnoredBecause) ? "ignored without a reason"
                : outcome.Events.Count > 0 ? $"ignored with {outcome.Events.Count} events" : null;
        }

        if (outcome.Events.Count == 0)
        {
            return $"succeeded as {outcome.Format} without events";
        }

        if (outcome.Events.Count > MaxEvents(bytes.Length))
        {
            return $"{outcome.Events.Count} events from {bytes.Length} bytes as {outcome.Format}";
        }

        var overlong = outcome.Events.FirstOrDefault(e => e.Evidence?.Length > ReportEvent.MaxEvidenceLength);
        return overlong is not null ? $"evidence of {overlong.Evidence!.Length} characters as {outcome.Format}" : null;
    }

    private static List<Input> Inputs()
    {
        var inputs = new List<Input>();
        foreach (var (folder, pattern, contentType) in CorpusInputs)
        {
            var directory = TestPaths.Corpus(folder)
                ?? throw new Xunit.Sdk.XunitException($"corpus '{folder}' not found: looked for ../shared/corpus/{folder} beside every parent of {AppContext.BaseDirectory}");
            inputs.AddRange(Directory.GetFiles(directory, pattern, SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Select(path => new Input($"{folder}/{Path.GetRelativePath(directory, path)}", contentType, File.ReadAllBytes(path))));
        }

        inputs.AddRange(Directory.GetFiles(TestPaths.TestData("mail"), "*.eml").Order(StringComparer.Ordinal)
            .Select(path => new Input($"TestData/mail/{Path.GetFileName(path)}", "message/rfc822", File.ReadAllBytes(path))));
        return inputs;
    }

    /// <summary>Mutation 0 is the file itself; the others apply one to three mutations chosen by a seeded generator.</summary>
    private static (byte[] Bytes, string Applied) Mutate(Input input, int number, IReadOnlyList<Input> all)
    {
        if (number == 0)
        {
            return (input.Bytes, "original");
        }

        var random = new Random(StableHash(input.Name) ^ (number * 7919));
        var bytes = input.Bytes;
        var applied = new List<string>();
        var count = random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            // Occasionally splice in part of another report, so one format's content meets another's parser.
            if (random.Next(8) == 0)
            {
                bytes = Splice(random, bytes, all[random.Next(all.Count)].Bytes);
                applied.Add("splice");
                continue;
            }

            var mutation = Mutations[random.Next(Mutations.Length)];
            bytes = mutation.Apply(random, bytes, all);
            applied.Add(mutation.Name);
        }

        return (bytes, string.Join('+', applied));
    }

    private static byte[] FlipBits(Random random, byte[] bytes, IReadOnlyList<Input> all)
    {
        if (bytes.Length == 0)
        {
            return bytes;
        }

        var copy = (byte[])bytes.Clone();
        for (var flips = random.Next(1, 17); flips > 0; flips--)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        }

        return copy;
    }

    private static byte[] Truncate(Random random, byte[] bytes, IReadOnlyList<Input> all) =>
        bytes.Length == 0 ? bytes : bytes[..random.Next(bytes.Length)];

    private static byte[] DuplicateLines(Random random, byte[] bytes, IReadOnlyList<Input> all)
    {
        var lines = Lines(bytes);
        var line = lines[random.Next(lines.Count)];
        var times = random.Next(2, Math.Max(3, Math.Min(2000, 96_000 / (line.Length + 1))));
        lines.InsertRange(random.Next(lines.Count + 1), Enumerable.Repeat(line, times));
        return Join(lines);
    }

    private static byte[] RemoveLines(Random random, byte[] bytes, IReadOnlyList<Input> all)
    {
        var lines = Lines(bytes);
        for (var removals = random.Next(1, 11); removals > 0 && lines.Count > 1; removals--)
        {
            lines.RemoveAt(random.Next(lines.Count));
        }

        return Join(lines);
    }

    /// <summary>A line of 16 KB to 1 MB (a header line when it lands in a mail's header), made of address-like characters.</summary>
    private static byte[] HugeLine(Random random, byte[] bytes, IReadOnlyList<Input> all)
    {
        const string Alphabet = "0123456789abcdef.:[]/ @<>\"=;,htp";
        var length = random.Next(8) == 0 ? random.Next(512 * 1024, 1024 * 1024) : random.Next(16 * 1024, 128 * 1024);
        var line = new byte[length + 10];
        "X-Huge: "u8.CopyTo(line);
        for (var i = 8; i < length + 8; i++)
        {
            line[i] = (byte)Alphabet[random.Next(Alphabet.Length)];
        }

        line[^2] = (byte)'\r';
        line[^1] = (byte)'\n';
        var lines = Lines(bytes);
        lines.Insert(random.Next(Math.Min(lines.Count, 5) + 1), line[..^2]);
        return Join(lines);
    }

    /// <summary>The input wrapped in 20-300 levels of multipart/mixed, the innermost a message/rfc822 part.</summary>
    private static byte[] NestedMultiparts(Random random, byte[] bytes, IReadOnlyList<Input> all)
    {
        var depth = random.Next(20, 301);
        var text = new StringBuilder("MIME-Version: 1.0\r\n");
        for (var level = 0; level < depth; level++)
        {
            text.Append(FormattableString.Invariant($"Content-Type: multipart/mixed; boundary=\"b{level}\"\r\n\r\n--b{level}\r\n"));
        }

        text.Append("Content-Type: message/rfc822\r\n\r\n");
        var prefix = Encoding.ASCII.GetBytes(text.ToString());
        var suffix = new StringBuilder("\r\n");
        for (var level = depth - 1; level >= 0; level--)
        {
            suffix.Append(FormattableString.Invariant($"--b{level}--\r\n"));
        }

        return [.. prefix, .. bytes, .. Encoding.ASCII.GetBytes(suffix.ToString())];
    }

    private static byte[] RandomBytes(Random random, byte[] bytes, IReadOnlyList<Input> all)
    {
        var noise = new byte[random.Next(1, 513)];
        random.NextBytes(noise);
        var at = random.Next(bytes.Length + 1);
        return random.Next(2) == 0 || at + noise.Length > bytes.Length
            ? [.. bytes.AsSpan(0, at), .. noise, .. bytes.AsSpan(at)]
            : [.. bytes.AsSpan(0, at), .. noise, .. bytes.AsSpan(at + noise.Length)];
    }

    /// <summary>Thousands of lines of IPs and URLs: the caps on events must hold.</summary>
    private static byte[] AddressFlood(Random random, byte[] bytes, IReadOnlyList<Input> all)
    {
        var lines = Lines(bytes);
        var flood = new List<byte[]>();
        for (var i = random.Next(500, 6_000); i > 0; i--)
        {
            flood.Add(Encoding.ASCII.GetBytes(random.Next(3) switch
            {
                0 => $"198.51.{random.Next(256)}.{random.Next(256)}",
                1 => $"2001:db8:{random.Next(65536):x}::{random.Next(65536):x}",
                _ => $"http://h{random.Next(100_000)}.customer.example/p",
            }));
        }

        lines.InsertRange(random.Next(lines.Count + 1), flood);
        return Join(lines);
    }

    /// <summary>Declares encodings the content does not have, so decoders meet garbage.</summary>
    private static byte[] TransferEncodings(Random random, byte[] bytes, IReadOnlyList<Input> all)
    {
        string[] encodings = ["base64", "quoted-printable", "x-uuencode", "binary", "7bit", "bogus"];
        string[] charsets = ["utf-8", "utf-16", "iso-2022-jp", "windows-1252", "x-unknown", ""];
        var text = Encoding.Latin1.GetString(bytes);
        text = text.Replace("7bit", encodings[random.Next(encodings.Length)], StringComparison.OrdinalIgnoreCase)
            .Replace("8bit", encodings[random.Next(encodings.Length)], StringComparison.OrdinalIgnoreCase)
            .Replace("charset=", "charset=" + charsets[random.Next(charsets.Length)] + "x", StringComparison.OrdinalIgnoreCase);
        return Encoding.Latin1.GetBytes(text);
    }

    private static byte[] Splice(Random random, byte[] bytes, byte[] other)
    {
        if (other.Length == 0)
        {
            return bytes;
        }

        var start = random.Next(other.Length);
        var piece = other.AsSpan(start, Math.Min(other.Length - start, random.Next(1, 4096)));
        var at = random.Next(bytes.Length + 1);
        return [.. bytes.AsSpan(0, at), .. piece, .. bytes.AsSpan(at)];
    }

    private static List<byte[]> Lines(byte[] bytes)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lines.Add(bytes[start..i]);
                start = i + 1;
            }
        }

        lines.Add(bytes[start..]);
        return lines;
    }

    private static byte[] Join(List<byte[]> lines)
    {
        var joined = new byte[lines.Sum(l => l.Length + 1)];
        var at = 0;
        foreach (var line in lines)
        {
            line.CopyTo(joined, at);
            at += line.Length;
            joined[at++] = (byte)'\n';
        }

        return joined[..Math.Max(0, at - 1)];
    }

    /// <summary>FNV-1a: string.GetHashCode differs between runs, and the seeds must not.</summary>
    private static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }

    private sealed record Input(string Name, string ContentType, byte[] Bytes);

    private sealed record Failure(string Problem, string Input);

    private sealed record Mutation(string Name, Func<Random, byte[], IReadOnlyList<Input>, byte[]> Apply);
}
