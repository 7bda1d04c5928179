using System.Globalization;
using System.Text.Json;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Domain.Parsing;

/// <summary>
/// Reads <c>{"events":[...]}</c> in the contract's event shape. All or nothing: one invalid element
/// fails the report with the element's index and field, because a reporter's tool that gets one field
/// wrong usually gets it wrong everywhere, and a partial import would hide that. Field names are
/// matched as the contract spells them; unknown fields are ignored so reporters can send more.
/// </summary>
internal static class JsonEventsParser
{
    private const int MaxUrlLength = 4096;
    private const int MaxReportTypeLength = 64;

    // Every pattern demands a zone: "zzz" an offset, the others a literal Z.
    private static readonly string[] IsoTimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd'T'HH:mm'Z'",
        "yyyy-MM-dd'T'HH:mmzzz",
    ];

    public static ParseOutcome Parse(JsonElement events)
    {
        if (events.ValueKind != JsonValueKind.Array)
        {
            return Fail($"events: expected an array, got {Describe(events.ValueKind)}");
        }

        if (events.GetArrayLength() == 0)
        {
            return Fail("events: the array is empty");
        }

        var parsed = new List<ReportEvent>(events.GetArrayLength());
        var index = 0;
        foreach (var element in events.EnumerateArray())
        {
            var reportEvent = ReadEvent(element, $"events[{index}]", out var error);
            if (reportEvent is null)
            {
                return Fail(error!);
            }

            parsed.Add(reportEvent);
            index++;
        }

        return ParseOutcome.Success(ReportFormats.JsonEvents, parsed);
    }

    private static ParseOutcome Fail(string error) => ParseOutcome.Failure(ReportFormats.JsonEvents, error);

    private static ReportEvent? ReadEvent(JsonElement element, string path, out string? error)
    {
        error = null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            error = $"{path}: expected an object, got {Describe(element.ValueKind)}";
            return null;
        }

        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            // Two values for one field mean different readers may see different events.
            if (!fields.TryAdd(property.Name, property.Value))
            {
                error = $"{path}: duplicate property '{Quote(property.Name)}'";
                return null;
            }
        }

        string? ip = null, url = null, reportType = null, evidence = null;
        int? port = null;
        DateTimeOffset? occurredAt = null;
        AbuseClass abuseClass = default;
        error = ReadString(fields, path, "ip", out var ipText)
            ?? ReadIp(ipText, path, out ip)
            ?? ReadPort(fields, path, out port)
            ?? ReadString(fields, path, "url", out var urlText)
            ?? ReadUrl(urlText, path, out url)
            ?? ReadString(fields, path, "abuseClass", out var abuseClassText)
            ?? ReadAbuseClass(abuseClassText, path, out abuseClass)
            ?? ReadString(fields, path, "reportType", out var reportTypeText)
            ?? ReadReportType(reportTypeText, path, out reportType)
            ?? ReadString(fields, path, "occurredAt", out var occurredAtText)
            ?? ReadTime(occurredAtText, path, out occurredAt)
            ?? ReadString(fields, path, "evidence", out evidence);
        if (error is null && ip is null && url is null)
        {
            error = $"{path}: ip or url is required";
        }

        if (error is not null)
        {
            return null;
        }

        return new ReportEvent
        {
            Ip = ip,
            Port = port,
            Url = url,
            AbuseClass = abuseClass,

            // The contract only requires ip or url; a reporter that names the class but no finer type
            // still gets a stable report type.
            ReportType = reportType ?? abuseClass.ToWireName(),
            OccurredAt = occurredAt,
            Evidence = ReportEvent.BoundEvidence(evidence),
        };
    }

    /// <summary>Null or absent reads as null; anything but a string is an error.</summary>
    private static string? ReadString(Dictionary<string, JsonElement> fields, string path, string name, out string? value)
    {
        value = null;
        if (!fields.TryGetValue(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            return $"{path}.{name}: expected a string, got {Describe(element.ValueKind)}";
        }

        value = element.GetString();
        return null;
    }

    private static string? ReadIp(string? text, string path, out string? ip)
    {
        ip = null;
        if (text is null)
        {
            return null;
        }

        if (!IpAddressText.TryNormalize(text, out var normalized))
        {
            return $"{path}.ip: '{Quote(text)}' is not an IP address";
        }

        ip = normalized;
        return null;
    }

    private static string? ReadPort(Dictionary<string, JsonElement> fields, string path, out int? port)
    {
        port = null;
        if (!fields.TryGetValue("port", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Number)
        {
            return $"{path}.port: expected an integer, got {Describe(element.ValueKind)}";
        }

        if (!element.TryGetInt32(out var value) || value is < 1 or > 65535)
        {
            return $"{path}.port: {Quote(element.GetRawText())} is not a port number (1-65535)";
        }

        port = value;
        return null;
    }

    /// <summary>Abuse is hosted on web, FTP and similar servers; a URL without a host cannot be routed.</summary>
    private static string? ReadUrl(string? text, string path, out string? url)
    {
        url = null;
        if (text is null)
        {
            return null;
        }

        var trimmed = text.Trim();
        if (trimmed.Length > MaxUrlLength)
        {
            return $"{path}.url: longer than {MaxUrlLength} characters";
        }

        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return $"{path}.url: '{Quote(text)}' is not an absolute URL with a host";
        }

        url = trimmed;
        return null;
    }

    private static string? ReadAbuseClass(string? text, string path, out AbuseClass abuseClass)
    {
        if (text is null)
        {
            abuseClass = default;
            return $"{path}.abuseClass: required (one of {string.Join(", ", AbuseClasses.WireNames)})";
        }

        return AbuseClasses.TryParse(text, out abuseClass)
            ? null
            : $"{path}.abuseClass: '{Quote(text)}' is not an abuse class (one of {string.Join(", ", AbuseClasses.WireNames)})";
    }

    private static string? ReadReportType(string? text, string path, out string? reportType)
    {
        reportType = null;
        if (text is null)
        {
            return null;
        }

        var trimmed = text.Trim();
        if (trimmed.Length is 0 or > MaxReportTypeLength || trimmed.Any(char.IsControl))
        {
            return $"{path}.reportType: '{Quote(text)}' is not a report type (1-{MaxReportTypeLength} printable characters)";
        }

        reportType = trimmed;
        return null;
    }

    /// <summary>
    /// ISO 8601 with an explicit offset or Z: a time without one could be any of 26 hours, and
    /// guessing would misdate the evidence a customer is asked to check against their logs.
    /// </summary>
    private static string? ReadTime(string? text, string path, out DateTimeOffset? occurredAt)
    {
        occurredAt = null;
        if (text is null)
        {
            return null;
        }

        if (!TryParseIsoTime(text.Trim(), out var time))
        {
            return $"{path}.occurredAt: '{Quote(text)}' is not an ISO 8601 time with a UTC offset (e.g. 2026-11-20T10:00:00Z)";
        }

        occurredAt = time;
        return null;
    }

    private static bool TryParseIsoTime(string text, out DateTimeOffset time)
    {
        var parsed = DateTimeOffset.TryParseExact(text, IsoTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
        time = time.ToUniversalTime();
        return parsed;
    }

    private static string Describe(JsonValueKind kind) => JsonKinds.Describe(kind);

    /// <summary>Reporter-supplied text echoed in an error: one line, short.</summary>
    private static string Quote(string text) => EvidenceExcerpt.Flatten(text, 80);
}
