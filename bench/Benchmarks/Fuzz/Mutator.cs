using System.Text;

namespace AbuseDesk.Benchmarks.Fuzz;

/// <summary>
/// Byte- and structure-level mutations of a seed. Everything draws from the given <see cref="Random"/>, which the
/// run seeds from (run seed, input index): the same index always yields the same bytes, so an input can be made
/// again from its number as well as replayed from the saved file.
/// </summary>
public static class Mutator
{
    private static readonly string[] Interesting =
    [
        "\0", "\r\n", "\r", "\n\n", "\r\n\r\n", "\xff\xfe", "\"", "'", ",", ";", "=", "=?", "?=", "--", "\\", "%00", "%n%s",
        "\u202e", "\ud83d\ude00", "<script>alert(1)</script>", "${jndi:ldap://x}", "../../../../etc/passwd",
        "99999999999999999999999", "-1", "NaN", "1e999", "0x41", "::ffff:198.51.100.7", "999.999.999.999",
        "198.51.100.7", "2001:db8::7", "http://[::1]:80/", "\r\nBcc: injected@example.net\r\n",
    ];

    private static readonly string[] Boundaries =
    [
        "", "\"\"", "x", new string('b', 5000), "\"--\"", "\"a\r\n--b\"", "=?utf-8?q?x?=", "\"" + new string('-', 70) + "\"",
    ];

    private static readonly string[] Charsets =
    [
        "utf-7", "utf-16", "utf-32", "x-unknown", "iso-2022-jp", "\"\"", "ebcdic-cp-us", "gb18030", "windows-1252", "utf-8\0",
        "cp65001", new string('u', 300), "unicode-1-1-utf-7",
    ];

    private static readonly string[] Encodings =
    [
        "base64", "quoted-printable", "x-uuencode", "binary", "8bit", "7bit", "bogus", "",
    ];

    public static byte[] Mutate(Random random, byte[] seed, IReadOnlyList<Seed> all, out string what)
    {
        var steps = random.Next(1, 4);
        var body = seed;
        var names = new List<string>(steps);
        for (var i = 0; i < steps; i++)
        {
            var (next, name) = Once(random, body, all);
            body = next;
            names.Add(name);
        }

        what = string.Join("+", names);
        return body;
    }

    private static (byte[] Body, string Name) Once(Random random, byte[] body, IReadOnlyList<Seed> all)
    {
        switch (random.Next(14))
        {
            case 0:
                return (BitFlips(random, body), "bitflip");
            case 1:
                return (body.Length == 0 ? body : body[..random.Next(body.Length)], "truncate");
            case 2:
                return (Insert(random, body, RandomBytes(random, random.Next(1, 64))), "insert-random");
            case 3:
                return (Insert(random, body, Encoding.UTF8.GetBytes(Interesting[random.Next(Interesting.Length)])), "insert-interesting");
            case 4:
                return (Delete(random, body), "delete");
            case 5:
                var other = all[random.Next(all.Count)].Body;
                var cutA = body.Length == 0 ? 0 : random.Next(body.Length);
                var cutB = other.Length == 0 ? 0 : random.Next(other.Length);
                return ([.. body[..cutA], .. other[cutB..]], "splice");
            case 6:
                return (Repeat(random, body), "repeat");
            case 7:
                return (MimeHeaders(random, body), "mime-headers");
            case 8:
                return (EncodedWords(random, body), "encoded-words");
            case 9:
                return (DeepJson(random, body), "deep-nesting");
            case 10:
                return (Oversize(random, body), "oversized-field");
            case 11:
                return (CsvShape(random, body), "csv-shape");
            case 12:
                return (LineEndings(random, body), "line-endings");
            default:
                return (Numbers(random, body), "numbers");
        }
    }

    private static byte[] BitFlips(Random random, byte[] body)
    {
        if (body.Length == 0)
        {
            return body;
        }

        var copy = (byte[])body.Clone();
        for (var i = random.Next(1, 9); i > 0; i--)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        }

        return copy;
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Insert(Random random, byte[] body, byte[] insert)
    {
        var at = random.Next(body.Length + 1);
        return [.. body[..at], .. insert, .. body[at..]];
    }

    private static byte[] Delete(Random random, byte[] body)
    {
        if (body.Length < 2)
        {
            return [];
        }

        var from = random.Next(body.Length);
        var length = Math.Min(body.Length - from, random.Next(1, Math.Max(2, body.Length / 4)));
        return [.. body[..from], .. body[(from + length)..]];
    }

    private static byte[] Repeat(Random random, byte[] body)
    {
        if (body.Length == 0)
        {
            return body;
        }

        var from = random.Next(body.Length);
        var chunk = body[from..Math.Min(body.Length, from + random.Next(1, 200))];
        var times = random.Next(2, 2000);
        var output = new List<byte>(body.Length + chunk.Length * times);
        output.AddRange(body[..from]);
        for (var i = 0; i < times; i++)
        {
            output.AddRange(chunk);
        }

        output.AddRange(body[from..]);
        return [.. output];
    }

    /// <summary>Replaces MIME parameters and headers that steer decoding with hostile values.</summary>
    private static byte[] MimeHeaders(Random random, byte[] body)
    {
        var text = Encoding.Latin1.GetString(body);
        switch (random.Next(5))
        {
            case 0:
                text = ReplaceValue(text, "boundary=", Boundaries[random.Next(Boundaries.Length)], random);
                break;
            case 1:
                text = ReplaceValue(text, "charset=", Charsets[random.Next(Charsets.Length)], random);
                break;
            case 2:
                text = ReplaceValue(text, "Content-Transfer-Encoding:", " " + Encodings[random.Next(Encodings.Length)], random);
                break;
            case 3:
                text = ReplaceValue(text, "Content-Type:", " " + new[] { "multipart/mixed", "multipart/report; report-type=feedback-report", "message/rfc822", "application/zip", "text/plain; charset=utf-7", "multipart/alternative; boundary=" }[random.Next(6)], random);
                break;
            default:
                // A header folded over and over, or a thousand headers: both are parser cost, not content.
                var extra = new StringBuilder();
                var count = random.Next(1, 3000);
                for (var i = 0; i < count; i++)
                {
                    extra.Append(random.Next(2) == 0 ? "X-Fuzz: a\r\n b\r\n" : $"X-Fuzz-{i}: {new string('x', random.Next(100))}\r\n");
                }

                text = extra + text;
                break;
        }

        return Encoding.Latin1.GetBytes(text);
    }

    private static string ReplaceValue(string text, string name, string value, Random random)
    {
        var at = text.IndexOf(name, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return $"{name}{value}\r\n{text}";
        }

        var start = at + name.Length;
        var end = start;
        while (end < text.Length && text[end] is not (';' or '\r' or '\n'))
        {
            end++;
        }

        // Sometimes only the header changes, sometimes the body that it describes stays the old one: both matter.
        return text[..start] + value + text[end..] + (random.Next(4) == 0 ? "\r\n--" + value + "--\r\n" : "");
    }

    private static byte[] EncodedWords(Random random, byte[] body)
    {
        var words = new[]
        {
            "=?utf-8?B?" + Convert.ToBase64String(RandomBytes(random, random.Next(1, 80))) + "?=",
            "=?utf-8?B?!!notbase64!!?=", "=?utf-8?Q?=ZZ=0=?=", "=?x-unknown?Q?abc?=", "=?utf-7?B?K0FHRUFZUUJo?=",
            "=?" + new string('c', 500) + "?B?YQ==?=", "=?utf-8*en?Q?a?=", "=?utf-8?Q?\r\nBcc:=20injected@example.net?=",
            string.Concat(Enumerable.Repeat("=?utf-8?Q?a?= ", 5000)),
        };
        var word = words[random.Next(words.Length)];
        var text = Encoding.Latin1.GetString(body);
        var header = new[] { "Subject:", "From:", "To:", "Reported-Domain:", "Source-IP:", "Content-Disposition: attachment; filename=" }[random.Next(6)];
        var at = text.IndexOf(header, StringComparison.OrdinalIgnoreCase);
        text = at < 0 ? $"{header} {word}\r\n{text}" : text[..(at + header.Length)] + " " + word + text[(at + header.Length)..];
        return Encoding.Latin1.GetBytes(text);
    }

    private static byte[] DeepJson(Random random, byte[] body)
    {
        var depth = random.Next(2) == 0 ? random.Next(20, 200) : random.Next(1000, 200_000);
        var open = random.Next(3) switch { 0 => "[", 1 => "{\"a\":", _ => "{\"events\":[" };
        var close = open switch { "[" => "]", "{\"a\":" => "}", _ => "]}" };
        var text = new StringBuilder(depth * (open.Length + close.Length) + body.Length);
        for (var i = 0; i < depth; i++)
        {
            text.Append(open);
        }

        text.Append(Encoding.UTF8.GetString(body));
        // Unbalanced sometimes: the parser must reject, not recurse for ever.
        var closing = random.Next(3) == 0 ? random.Next(depth) : depth;
        for (var i = 0; i < closing; i++)
        {
            text.Append(close);
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>One field made huge: inside a JSON string, a CSV cell or a header line, wherever the cut lands.</summary>
    private static byte[] Oversize(Random random, byte[] body)
    {
        var size = random.Next(4) == 0 ? random.Next(1 << 20, 3 << 20) : random.Next(1000, 70_000);
        const string fills = "aA0 ,.\"\\/";
        var fill = (byte)fills[random.Next(fills.Length)];
        var big = new byte[size];
        Array.Fill(big, fill);
        var text = body;
        var quote = Array.IndexOf(text, (byte)'"', body.Length == 0 ? 0 : random.Next(body.Length));
        var at = quote >= 0 ? quote + 1 : random.Next(body.Length + 1);
        return [.. text[..at], .. big, .. text[at..]];
    }

    /// <summary>CSV-specific: thousands of columns, unbalanced quotes, a header repeated as a row, empty lines.</summary>
    private static byte[] CsvShape(Random random, byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        var newline = text.IndexOf('\n');
        var header = newline > 0 ? text[..newline] : text;
        return random.Next(5) switch
        {
            0 => Encoding.UTF8.GetBytes(string.Join(",", Enumerable.Range(0, random.Next(2000, 5000)).Select(i => $"c{i}")) + "\n" + text),
            1 => Encoding.UTF8.GetBytes(text.Replace(",", ",\"", StringComparison.Ordinal)),
            2 => Encoding.UTF8.GetBytes(text + string.Concat(Enumerable.Repeat(header + "\n", random.Next(1, 500)))),
            3 => Encoding.UTF8.GetBytes(new string('\n', random.Next(1, 10_000)) + text),
            _ => Encoding.UTF8.GetBytes(text.Replace("\n", "\n,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n", StringComparison.Ordinal)),
        };
    }

    private static byte[] LineEndings(Random random, byte[] body)
    {
        var text = Encoding.Latin1.GetString(body);
        text = random.Next(4) switch
        {
            0 => text.Replace("\r\n", "\n", StringComparison.Ordinal),
            1 => text.Replace("\r\n", "\r", StringComparison.Ordinal).Replace("\n", "\r", StringComparison.Ordinal),
            2 => text.Replace("\n", "\r\n", StringComparison.Ordinal),
            _ => "\uFEFF" + text,
        };
        return random.Next(3) == 0 ? Encoding.Unicode.GetBytes(text) : Encoding.Latin1.GetBytes(text);
    }

    /// <summary>Numbers, addresses and dates swapped for edge values.</summary>
    private static byte[] Numbers(Random random, byte[] body)
    {
        var text = Encoding.Latin1.GetString(body);
        var edge = new[]
        {
            "0", "-1", "65536", "2147483648", "-9223372036854775809", "1e309", "0.0.0.0", "255.255.255.255", "256.1.1.1",
            "::", "fe80::1%eth0", "1.2.3", "9999-99-99T99:99:99Z", "0001-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "",
        }[random.Next(16)];
        var digits = Enumerable.Range(0, text.Length).Where(i => char.IsAsciiDigit(text[i])).ToList();
        if (digits.Count == 0)
        {
            return Encoding.Latin1.GetBytes(edge + text);
        }

        var at = digits[random.Next(digits.Count)];
        var end = at;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] is '.' or ':' or '-'))
        {
            end++;
        }

        return Encoding.Latin1.GetBytes(text[..at] + edge + text[end..]);
    }
}
