using System.Globalization;
using System.Text.Json;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>
/// Checks JSON fields against XARF schema rules and collects what is wrong, each problem named by its
/// path ("Report.SourceIp: 'x' is not an IP address"). No JSON-schema library is available here, and a
/// reporter fixing their generator needs the field, not a schema keyword. Every reader returns the value
/// when it is valid and null (after recording the problem) when it is not, so a caller can read on and
/// report several problems at once.
/// </summary>
internal sealed class XarfFieldCheck(string format)
{
    // Enough to fix a generator in one round trip, few enough that a hostile report cannot grow the reason.
    private const int MaxProblems = 3;

    private readonly List<string> _problems = [];

    public bool Failed => _problems.Count > 0;

    public string Reason => $"{format}: {string.Join("; ", _problems)}";

    public static string PathOf(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    /// <summary>Takes over another check's problems: used where the schema offers alternatives (anyOf) and none fits.</summary>
    public void Include(XarfFieldCheck other)
    {
        foreach (var problem in other._problems)
        {
            if (_problems.Count < MaxProblems)
            {
                _problems.Add(problem);
            }
        }
    }

    public void Fail(string path, string problem)
    {
        if (_problems.Count < MaxProblems)
        {
            _problems.Add($"{path}: {problem}");
        }
    }

    /// <summary>The property when present (an explicit null counts as present); a required one that is absent is a problem.</summary>
    public bool Find(JsonElement owner, string parent, string name, bool required, out JsonElement value)
    {
        value = default;
        if (owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(name, out value))
        {
            return true;
        }

        if (required)
        {
            Fail(PathOf(parent, name), "missing");
        }

        return false;
    }

    public bool Object(JsonElement owner, string parent, string name, bool required, out JsonElement value) =>
        Find(owner, parent, name, required, out value) && Expect(value, PathOf(parent, name), JsonValueKind.Object);

    public bool Array(JsonElement owner, string parent, string name, bool required, int minItems, int maxItems, out JsonElement value)
    {
        if (!Find(owner, parent, name, required, out value) || !Expect(value, PathOf(parent, name), JsonValueKind.Array))
        {
            return false;
        }

        var count = value.GetArrayLength();
        if (count < minItems || count > maxItems)
        {
            Fail(PathOf(parent, name), maxItems == int.MaxValue
                ? $"{count} items, at least {minItems} expected"
                : $"{count} items, {minItems}-{maxItems} expected");
            return false;
        }

        return true;
    }

    public string? String(JsonElement owner, string parent, string name, bool required = false, int minLength = 0, int maxLength = int.MaxValue)
    {
        if (!Find(owner, parent, name, required, out var value))
        {
            return null;
        }

        return StringValue(value, PathOf(parent, name), minLength, maxLength);
    }

    public string? StringValue(JsonElement value, string path, int minLength = 0, int maxLength = int.MaxValue)
    {
        if (!Expect(value, path, JsonValueKind.String))
        {
            return null;
        }

        var text = value.GetString()!;
        if (text.Length < minLength)
        {
            Fail(path, text.Length == 0 ? "empty" : $"'{Quote(text)}' is shorter than {minLength} characters");
            return null;
        }

        if (text.Length > maxLength)
        {
            Fail(path, $"longer than {maxLength} characters");
            return null;
        }

        return text;
    }

    public bool? Boolean(JsonElement owner, string parent, string name, bool required = false)
    {
        if (!Find(owner, parent, name, required, out var value))
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        Fail(PathOf(parent, name), $"expected true or false, got {Describe(value)}");
        return null;
    }

    public long? Integer(JsonElement owner, string parent, string name, long min, long max, bool required = false)
    {
        if (!Find(owner, parent, name, required, out var value))
        {
            return null;
        }

        return IntegerValue(value, PathOf(parent, name), min, max);
    }

    public long? IntegerValue(JsonElement value, string path, long min, long max)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            Fail(path, $"expected an integer, got {Describe(value)}");
            return null;
        }

        if (!value.TryGetDecimal(out var number) || number != decimal.Truncate(number))
        {
            Fail(path, $"{Quote(value.GetRawText())} is not an integer");
            return null;
        }

        if (number < min || number > max)
        {
            var bound = max != long.MaxValue ? $"out of range ({min}-{max})" : number < min ? $"below {min}" : "too large";
            Fail(path, $"{Quote(value.GetRawText())} is {bound}");
            return null;
        }

        return (long)number;
    }

    public double? Number(JsonElement owner, string parent, string name, double min, double max)
    {
        if (!Find(owner, parent, name, required: false, out var value) || !Expect(value, PathOf(parent, name), JsonValueKind.Number))
        {
            return null;
        }

        if (!value.TryGetDouble(out var number) || double.IsInfinity(number) || number < min || number > max)
        {
            Fail(PathOf(parent, name), $"{Quote(value.GetRawText())} is out of range ({min.ToString(CultureInfo.InvariantCulture)}-{max.ToString(CultureInfo.InvariantCulture)})");
            return null;
        }

        return number;
    }

    public string? OneOf(JsonElement owner, string parent, string name, IReadOnlyCollection<string> allowed, bool required = false)
    {
        var text = String(owner, parent, name, required);
        if (text is null)
        {
            return null;
        }

        if (allowed.Contains(text, StringComparer.Ordinal))
        {
            return text;
        }

        Fail(PathOf(parent, name), $"'{Quote(text)}' is not one of {string.Join(", ", allowed)}");
        return null;
    }

    /// <summary>An IP address in canonical form (see <see cref="IpAddressText"/>).</summary>
    public string? Ip(JsonElement owner, string parent, string name, bool required = false)
    {
        if (!Find(owner, parent, name, required, out var value))
        {
            return null;
        }

        return IpValue(value, PathOf(parent, name));
    }

    public string? IpValue(JsonElement value, string path)
    {
        var text = StringValue(value, path);
        if (text is null)
        {
            return null;
        }

        if (IpAddressText.TryNormalize(text, out var ip))
        {
            return ip;
        }

        Fail(path, $"'{Quote(text)}' is not an IP address");
        return null;
    }

    public string? Email(JsonElement owner, string parent, string name, bool required = false) =>
        Formatted(owner, parent, name, required, XarfValueFormats.IsEmail, "an email address");

    public string? Hostname(JsonElement owner, string parent, string name, bool required = false) =>
        Formatted(owner, parent, name, required, XarfValueFormats.IsHostname, "a host name");

    public string? Uri(JsonElement owner, string parent, string name, bool required = false) =>
        Formatted(owner, parent, name, required, t => XarfValueFormats.TryParseAbsoluteUri(t, out _), "an absolute URI");

    public DateTimeOffset? DateTime(JsonElement owner, string parent, string name, bool required = false)
    {
        var text = String(owner, parent, name, required);
        if (text is null)
        {
            return null;
        }

        if (XarfValueFormats.TryParseDateTime(text, out var time))
        {
            return time;
        }

        Fail(PathOf(parent, name), $"'{Quote(text)}' is not an RFC 3339 date-time with a zone (e.g. 2024-01-15T14:30:25Z)");
        return null;
    }

    /// <summary>A port, or (where the schema allows it) an array of ports; the single port is returned.</summary>
    public int? PortOrPorts(JsonElement owner, string parent, string name, long min)
    {
        if (!Find(owner, parent, name, required: false, out var value))
        {
            return null;
        }

        var path = PathOf(parent, name);
        if (value.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                IntegerValue(item, $"{path}[{index++}]", min, 65535);
            }

            return null;
        }

        return (int?)IntegerValue(value, path, min, 65535);
    }

    /// <summary>Two values for one field mean different readers may see different reports.</summary>
    public void NoDuplicates(JsonElement owner, string path)
    {
        if (owner.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in owner.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                Fail(PathOf(path, property.Name), "appears twice");
                return;
            }
        }
    }

    /// <summary>For objects whose schema says additionalProperties: false.</summary>
    public void OnlyKnown(JsonElement owner, string path, IReadOnlyCollection<string> known)
    {
        foreach (var property in owner.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                Fail(PathOf(path, Quote(property.Name)), $"not allowed here (allowed: {string.Join(", ", known)})");
                return;
            }
        }
    }

    public bool Expect(JsonElement value, string path, JsonValueKind kind)
    {
        if (value.ValueKind == kind)
        {
            return true;
        }

        Fail(path, $"expected {Describe(kind)}, got {Describe(value)}");
        return false;
    }

    /// <summary>Reporter-supplied text echoed in a reason: one line, short.</summary>
    public static string Quote(string text) => EvidenceExcerpt.Flatten(text, 80);

    public static string Describe(JsonElement value) => Describe(value.ValueKind);

    private string? Formatted(JsonElement owner, string parent, string name, bool required, Func<string, bool> isValid, string what)
    {
        var text = String(owner, parent, name, required);
        if (text is null)
        {
            return null;
        }

        if (isValid(text))
        {
            return text;
        }

        Fail(PathOf(parent, name), $"'{Quote(text)}' is not {what}");
        return null;
    }

    private static string Describe(JsonValueKind kind) => JsonKinds.Describe(kind);
}
