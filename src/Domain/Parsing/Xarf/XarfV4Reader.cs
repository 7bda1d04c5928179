using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>
/// Reads one XARF v4 report (xarf/xarf-spec, schemas/v4/xarf-core.json plus the per-type required fields
/// of docs/specification.md) into one event. The fields that identify and route a report, and every
/// field the desk reads, are validated as the schema says; other optional fields are passed over, as the
/// schema's additionalProperties: true intends. Evidence items are base64 blobs from the reporter: they
/// are never decoded, only described by content type and size.
/// </summary>
internal static partial class XarfV4Reader
{
    private const string Prefix = "xarf v4";

    // xarf-core.json: at most 50 evidence items of at most 5 MB each.
    private const int MaxEvidenceItems = 50;
    private const long MaxEvidenceItemSize = 5_242_880;

    // Enough context for a customer to find the event in their logs; the excerpt is bounded anyway.
    private const int MaxExcerptFields = 30;

    private static readonly string[] ContactFields = ["org", "contact", "domain"];
    private static readonly string[] EvidenceItemFields = ["content_type", "description", "payload", "hash", "size"];

    // Shown in the excerpt's head, or never: smtp_to is the complainant's address (handing it to a spammer
    // lets them wash their list or retaliate), _internal is the reporter's private metadata, which the
    // spec says must never travel.
    private static readonly HashSet<string> NotListedInExcerpt = new(StringComparer.Ordinal)
    {
        "xarf_version", "report_id", "timestamp", "reporter", "sender", "source_identifier", "source_port",
        "category", "type", "description", "evidence", "smtp_to", "_internal", "legacy_version",
    };

    public static bool Claims(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("xarf_version", out _);

    public static ParseOutcome Read(JsonElement root)
    {
        var check = new XarfFieldCheck(Prefix);
        check.NoDuplicates(root, string.Empty);

        var version = check.String(root, string.Empty, "xarf_version", required: true);
        if (version is not null && !VersionPattern().IsMatch(version))
        {
            check.Fail("xarf_version", $"'{XarfFieldCheck.Quote(version)}' is not a XARF v4 version (4.x.y)");
        }

        // The schema names the uuid format, but format is only an annotation in JSON Schema 2020-12 and
        // the spec's own 4.0 examples use other ids; the id is only shown (flattened), so short text will do.
        var reportId = check.String(root, string.Empty, "report_id", required: true, minLength: 1, maxLength: 256);
        var timestamp = check.DateTime(root, string.Empty, "timestamp", required: true);
        var reporter = ReadContact(root, "reporter", required: true, check);

        // Required by the 4.2 core schema, absent from the spec's own 4.0 examples; the reporter alone is
        // enough to answer the report, so the sender is checked only when present.
        var sender = ReadContact(root, "sender", required: false, check);

        var source = ReadSource(root, check);
        var port = (int?)check.Integer(root, string.Empty, "source_port", 1, 65535);
        var category = ReadCategory(root, check);
        var type = ReadType(root, check);

        XarfTypeRule? rule = null;
        if (category is not null && type is not null)
        {
            rule = XarfV4Taxonomy.Rule(category, type, out var known);
            if (known)
            {
                CheckRequired(root, $"{category}/{type}", rule.Required, check);
            }
        }

        if (category == "messaging")
        {
            CheckSmtp(root, $"{category}/{type}", check);
        }

        CheckFieldsTheDeskReads(root, check);
        var evidence = ReadEvidenceItems(root, check);
        check.Number(root, string.Empty, "confidence", 0, 1);
        var description = check.String(root, string.Empty, "description", maxLength: 1000);

        if (check.Failed || rule is null || source is null)
        {
            return ParseOutcome.Failure(XarfFormats.V4, check.Failed ? check.Reason : $"{Prefix}: the report could not be read");
        }

        var abuseClass = category == "reputation" ? XarfV4Taxonomy.ClassOfThreat(JsonScalarText.StringField(root, "threat_type")) : rule.AbuseClass;
        var reportEvent = new ReportEvent
        {
            Ip = source.Ip,
            Port = port,
            Url = ChooseUrl(root, source),
            AbuseClass = abuseClass,
            Severity = rule.Severity,
            ReportType = $"xarf-{category}-{type}",
            OccurredAt = timestamp,
            Evidence = Excerpt(root, $"{category}/{type}", reporter, sender, reportId, source.Text, port, description, evidence),
        };
        return ParseOutcome.Success(XarfFormats.V4, [reportEvent]);
    }

    private static Contact? ReadContact(JsonElement root, string name, bool required, XarfFieldCheck check)
    {
        if (!check.Object(root, string.Empty, name, required, out var contact))
        {
            return null;
        }

        check.OnlyKnown(contact, name, ContactFields);
        var org = check.String(contact, name, "org", required: true, minLength: 1, maxLength: 200);
        check.Email(contact, name, "contact", required: true);
        var domain = check.Hostname(contact, name, "domain", required: true);
        return org is null ? null : new Contact(org, domain);
    }

    /// <summary>
    /// An IP address, or for content reports a host name; a URL is tolerated. Text made of digits and dots
    /// (or with a colon) was meant as an IP and is refused rather than read as a host name.
    /// </summary>
    private static Source? ReadSource(JsonElement root, XarfFieldCheck check)
    {
        var text = check.String(root, string.Empty, "source_identifier", required: true, minLength: 1, maxLength: XarfValueFormats.MaxUrlLength);
        if (text is null)
        {
            return null;
        }

        var trimmed = text.Trim();
        if (IpAddressText.TryNormalize(trimmed, out var ip))
        {
            return new Source(trimmed, ip, null, null);
        }

        if (trimmed.Contains("://", StringComparison.Ordinal) && XarfValueFormats.TryParseHostUrl(trimmed, out var url))
        {
            return new Source(trimmed, null, null, url);
        }

        if (XarfValueFormats.LooksLikeIp(trimmed))
        {
            check.Fail("source_identifier", $"'{XarfFieldCheck.Quote(text)}' is not an IP address");
            return null;
        }

        if (XarfValueFormats.IsHostname(trimmed))
        {
            return new Source(trimmed, null, trimmed.TrimEnd('.').ToLowerInvariant(), null);
        }

        check.Fail("source_identifier", $"'{XarfFieldCheck.Quote(text)}' is neither an IP address, a host name nor a URL");
        return null;
    }

    private static string? ReadCategory(JsonElement root, XarfFieldCheck check)
    {
        if (!root.TryGetProperty("category", out _) && root.TryGetProperty("class", out _))
        {
            check.Fail("category", "missing (4.0 drafts called it 'class'; 4.x reports name it 'category')");
            return null;
        }

        return check.OneOf(root, string.Empty, "category", XarfV4Taxonomy.Categories, required: true);
    }

    private static string? ReadType(JsonElement root, XarfFieldCheck check)
    {
        var type = check.String(root, string.Empty, "type", required: true);
        if (type is null || TypePattern().IsMatch(type))
        {
            return type;
        }

        check.Fail("type", $"'{XarfFieldCheck.Quote(type)}' is not a XARF type name (lower-case letters, digits and _, at most 64)");
        return null;
    }

    private static void CheckRequired(JsonElement root, string categoryType, string[] required, XarfFieldCheck check)
    {
        foreach (var name in required)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                check.Fail(name, $"missing (required for {categoryType})");
            }
        }
    }

    /// <summary>Mail abuse is traced by envelope sender and source port, so the spec requires both for SMTP.</summary>
    private static void CheckSmtp(JsonElement root, string categoryType, XarfFieldCheck check)
    {
        if (JsonScalarText.StringField(root, "protocol") != "smtp")
        {
            return;
        }

        foreach (var name in (string[])["smtp_from", "source_port"])
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                check.Fail(name, $"missing (required for {categoryType} when protocol is smtp)");
            }
        }
    }

    private static void CheckFieldsTheDeskReads(JsonElement root, XarfFieldCheck check)
    {
        check.Uri(root, string.Empty, "url");
        check.Uri(root, string.Empty, "infringing_url");
        check.Uri(root, string.Empty, "legitimate_site");
        check.Ip(root, string.Empty, "destination_ip");
        check.Integer(root, string.Empty, "destination_port", 1, 65535);
        check.Integer(root, string.Empty, "service_port", 1, 65535);
        check.Integer(root, string.Empty, "recipient_count", 1, long.MaxValue);
        check.DateTime(root, string.Empty, "first_seen");
        check.DateTime(root, string.Empty, "last_seen");
        check.DateTime(root, string.Empty, "registration_date");
        check.Email(root, string.Empty, "smtp_from");
        check.String(root, string.Empty, "protocol");
        check.String(root, string.Empty, "threat_type");
    }

    private static List<string> ReadEvidenceItems(JsonElement root, XarfFieldCheck check)
    {
        var described = new List<string>();
        if (!check.Array(root, string.Empty, "evidence", required: false, 0, MaxEvidenceItems, out var items))
        {
            return described;
        }

        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            var path = $"evidence[{index++}]";
            if (!check.Expect(item, path, JsonValueKind.Object))
            {
                continue;
            }

            check.OnlyKnown(item, path, EvidenceItemFields);
            var contentType = check.String(item, path, "content_type", required: true, minLength: 1, maxLength: 255);
            var payload = check.String(item, path, "payload", required: true);
            var description = check.String(item, path, "description", maxLength: 500);
            var hash = check.String(item, path, "hash");
            if (hash is not null && !HashPattern().IsMatch(hash))
            {
                check.Fail($"{path}.hash", $"'{XarfFieldCheck.Quote(hash)}' is not algorithm:hex (md5, sha1, sha256, sha512)");
            }

            var size = check.Integer(item, path, "size", 0, MaxEvidenceItemSize);
            if (contentType is not null && payload is not null)
            {
                // Base64 carries three bytes in four characters; the payload itself is never decoded.
                var bytes = size ?? payload.Length / 4L * 3;
                described.Add($"{contentType}, about {bytes.ToString(CultureInfo.InvariantCulture)} bytes" +
                    (string.IsNullOrWhiteSpace(description) ? string.Empty : $", {description}"));
            }
        }

        return described;
    }

    /// <summary>
    /// The content's URL when the report names one; for a host-name source only a URL on that host (or
    /// below it), otherwise the host itself, so the event always names what the report is about.
    /// </summary>
    private static string? ChooseUrl(JsonElement root, Source source)
    {
        if (source.Url is not null)
        {
            return source.Url;
        }

        foreach (var name in (string[])["url", "infringing_url"])
        {
            if (!XarfValueFormats.TryParseHostUrl(JsonScalarText.StringField(root, name), out var url))
            {
                continue;
            }

            if (source.Host is null)
            {
                return url;
            }

            var host = new Uri(url).Host.TrimEnd('.').ToLowerInvariant();
            if (host == source.Host || host.EndsWith("." + source.Host, StringComparison.Ordinal))
            {
                return url;
            }
        }

        return source.Host;
    }

    private static string? Excerpt(
        JsonElement root, string categoryType, Contact? reporter, Contact? sender, string? reportId, string source, int? port,
        string? description, List<string> evidence)
    {
        var excerpt = new EvidenceExcerpt()
            .Add("Report", $"XARF v4 {categoryType}")
            .Add("Reporter", reporter?.ToString())
            .Add("Sender", sender is not null && sender != reporter ? sender.ToString() : null)
            .Add("Report-ID", reportId)
            .Add("Timestamp", JsonScalarText.StringField(root, "timestamp"))
            .Add("Source", port is null ? source : $"{source} port {port.Value.ToString(CultureInfo.InvariantCulture)}")
            .Add("Description", description);

        var listed = 0;
        foreach (var property in root.EnumerateObject())
        {
            if (listed >= MaxExcerptFields)
            {
                break;
            }

            if (NotListedInExcerpt.Contains(property.Name) || JsonScalarText.Display(property.Value) is not { } value)
            {
                continue;
            }

            // Field names come from the report too: flattened so a name cannot forge a line.
            excerpt.Add(EvidenceExcerpt.Flatten(property.Name, 64), value);
            listed++;
        }

        for (var i = 0; i < evidence.Count; i++)
        {
            excerpt.Add($"Evidence {(i + 1).ToString(CultureInfo.InvariantCulture)}", evidence[i]);
        }

        return excerpt.Build();
    }

    [GeneratedRegex(@"^4\.[0-9]{1,6}\.[0-9]{1,6}\z")]
    private static partial Regex VersionPattern();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}\\z")]
    private static partial Regex TypePattern();

    [GeneratedRegex("^(md5|sha1|sha256|sha512):[a-fA-F0-9]{1,256}\\z")]
    private static partial Regex HashPattern();

    private sealed record Contact(string Org, string? Domain)
    {
        public override string ToString() => Domain is null ? Org : $"{Org} ({Domain})";
    }

    /// <summary>source_identifier as written, and what it turned out to be.</summary>
    private sealed record Source(string Text, string? Ip, string? Host, string? Url);
}
