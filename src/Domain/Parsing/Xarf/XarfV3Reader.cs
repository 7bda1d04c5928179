using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>
/// Reads one XARF v3 report (abusix/xarf, schemas/3: xarf_shared.schema.json and one schema per report type)
/// into one event, enforcing the schema's rules as C# checks: required fields, types, formats (IP,
/// email, host name, URI, date-time), enums, ranges, the ReportClass/ReportType pairs, and
/// additionalProperties where the schema forbids them. Every problem is named by its field path.
/// </summary>
internal static partial class XarfV3Reader
{
    private const string Prefix = "xarf v3";
    private const string ReportPath = "Report";
    private const long MaxAsn = 4_199_999_999;

    // Enough samples to show what the reporter saw; the rest are counted, not described.
    private const int MaxSamplesDescribed = 5;
    private const int MaxSampleTextShown = 300;

    private static readonly string[] ReporterInfoFields =
    [
        "ReporterType", "ReporterOrg", "ReporterOrgDomain", "ReporterOrgEmail", "ReporterOrgAddress",
        "ReporterContactEmail", "ReporterContactName", "ReporterContactPhone",
    ];

    private static readonly string[] PartyTypes = ["Org", "Person"];
    private static readonly string[] ReporterSeverities = ["low", "medium", "high"];
    private static readonly string[] TransportProtocols = ["tcp", "udp"];
    private static readonly string[] HashAlgorithms = ["sha1", "sha2", "sha3", "sha256", "sha512", "md5", "argon2id", "scrypt", "bcrypt", "pbkdf2"];
    private static readonly string[] CvssVersions = ["3.1", "3.0", "2"];
    private static readonly string[] Cvss2Severities = ["Low", "Medium", "High"];
    private static readonly string[] Cvss3Severities = ["None", "Low", "Medium", "High", "Critical"];
    private static readonly string[] HarassmentTypes = ["doxing", "stalking", "sexual", "believes", "defamation", "extortion", "hate"];
    private static readonly string[] HarassmentLocations = ["website", "chat", "game"];
    private static readonly string[] AccountFields = ["AccountIdentifier", "AccountName", "AccountEmail", "AccountNumber"];

    // Shown in the excerpt in this order when present. SmtpRcptToAddress is left out on purpose: it is
    // the complainant's (or trap's) address, and the evidence is shown to the customer.
    private static readonly string[] ExcerptFields =
    [
        "BotnetName", "MalwareName", "RpzDomain", "ServiceName", "ServiceVersion", "TransportProtocol", "CVE",
        "InfringedMaterial", "MaterialType", "SharingProtocol", "FileName", "FileSize", "CourtOrder",
        "TrademarkedMaterial", "RegistrationOffice", "RegistrationNumber", "Harasser", "HarassmentType",
        "HarassmentLocation", "HarassmentDescription", "SmtpMailFromAddress", "ByteCount", "PacketCount",
        "AttackerIp", "AttackerPort", "ThreatActor", "Ongoing", "ReporterNotes",
    ];

    /// <summary>
    /// A v3 document carries Version "3" (the number 3 too, a generator's mistake reported as such). Other
    /// versions are not claimed: v1/v2 drafts were never sent, and a "4" is not a XARF v4 document.
    /// </summary>
    public static bool Claims(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("Version", out var version)
        && ((version.ValueKind == JsonValueKind.String && version.GetString() == "3")
            || (version.ValueKind == JsonValueKind.Number && version.GetRawText() == "3"));

    public static ParseOutcome Read(JsonElement root)
    {
        var check = new XarfFieldCheck(Prefix);
        check.NoDuplicates(root, string.Empty);
        if (root.GetProperty("Version").ValueKind != JsonValueKind.String)
        {
            check.Fail("Version", "expected the string \"3\", got a number");
            return ParseOutcome.Failure(XarfFormats.V3, check.Reason);
        }

        check.Boolean(root, string.Empty, "Disclosure", required: true);
        var reporter = ReadParty(root, "ReporterInfo", "Reporter", required: true, check);
        var complainant = ReadParty(root, "OnBehalfOf", "Complainant", required: false, check);
        CheckInternalProcessing(root, check);

        if (!check.Object(root, string.Empty, ReportPath, required: true, out var report))
        {
            return ParseOutcome.Failure(XarfFormats.V3, check.Reason);
        }

        var (rule, reportClass, reportType, subType) = ReadReportKind(report, check);
        var date = check.DateTime(report, ReportPath, "Date", required: true);
        check.DateTime(report, ReportPath, "FirstSeen");
        check.String(report, ReportPath, "ReporterCaseID");
        check.OneOf(report, ReportPath, "ReporterSeverity", ReporterSeverities);
        check.String(report, ReportPath, "ReporterNotes");
        CheckCustom(report, check);

        var subject = rule is null ? null : ReadSubject(report, rule, reportType!, check);
        if (rule is not null)
        {
            CheckTypeFields(report, reportClass!, reportType!, check);
        }

        if (check.Failed || rule is null || subject is null)
        {
            return ParseOutcome.Failure(XarfFormats.V3, check.Failed ? check.Reason : $"{Prefix}: the report could not be read");
        }

        var reportEvent = new ReportEvent
        {
            Ip = subject.Ip,
            Port = subject.Port,
            Url = subject.Url,
            AbuseClass = rule.AbuseClass,
            Severity = rule.Severity,
            ReportType = $"xarf-v3-{reportType!.ToLowerInvariant()}" + (subType == "RPZ-Rewrite" ? "-rpz" : string.Empty),
            OccurredAt = date,
            Evidence = Excerpt(report, $"{reportClass}/{reportType}", subType, reporter, complainant),
        };
        return ParseOutcome.Success(XarfFormats.V3, [reportEvent]);
    }

    /// <summary>ReporterInfo or OnBehalfOf: contact details are optional only for a natural person.</summary>
    private static Party? ReadParty(JsonElement root, string name, string prefix, bool required, XarfFieldCheck check)
    {
        if (!check.Object(root, string.Empty, name, required, out var party))
        {
            return null;
        }

        // ReporterInfo is closed (additionalProperties: false); OnBehalfOf is not.
        if (name == "ReporterInfo")
        {
            check.OnlyKnown(party, name, ReporterInfoFields);
        }

        var person = check.OneOf(party, name, $"{prefix}Type", PartyTypes) == "Person";
        var org = check.String(party, name, $"{prefix}Org", required: !person, minLength: 3);
        var domain = check.Hostname(party, name, $"{prefix}OrgDomain", required: !person);
        check.Email(party, name, $"{prefix}OrgEmail", required: !person);
        check.String(party, name, $"{prefix}OrgAddress");
        check.Email(party, name, $"{prefix}ContactEmail");
        check.String(party, name, $"{prefix}ContactName", minLength: 3);
        check.String(party, name, $"{prefix}ContactPhone", minLength: 3);
        return new Party(person, org, domain);
    }

    private static void CheckInternalProcessing(JsonElement root, XarfFieldCheck check)
    {
        const string path = "InternalProcessing";
        if (!check.Object(root, string.Empty, path, required: false, out var processing))
        {
            return;
        }

        foreach (var (section, data) in (ReadOnlySpan<(string, string)>)[("SubscriberInformation", "SubscriberData"), ("ContractInformation", "ResolverData")])
        {
            var sectionPath = XarfFieldCheck.PathOf(path, section);
            if (check.Object(processing, path, section, required: false, out var value))
            {
                check.String(value, sectionPath, "ID");
                if (check.Object(value, sectionPath, data, required: false, out var values))
                {
                    foreach (var property in values.EnumerateObject())
                    {
                        check.Expect(property.Value, XarfFieldCheck.PathOf(XarfFieldCheck.PathOf(sectionPath, data), XarfFieldCheck.Quote(property.Name)), JsonValueKind.String);
                    }
                }
            }
        }

        if (check.Array(processing, path, "EventTags", required: false, 0, int.MaxValue, out var tags))
        {
            var index = 0;
            foreach (var tag in tags.EnumerateArray())
            {
                check.Expect(tag, $"{path}.EventTags[{index++}]", JsonValueKind.String);
            }
        }
    }

    private static (XarfV3TypeRule? Rule, string? Class, string? Type, string? SubType) ReadReportKind(JsonElement report, XarfFieldCheck check)
    {
        check.NoDuplicates(report, ReportPath);
        var reportClass = check.OneOf(report, ReportPath, "ReportClass", XarfV3Taxonomy.Classes, required: true);
        var reportType = check.String(report, ReportPath, "ReportType", required: true, minLength: 1);
        var subType = check.String(report, ReportPath, "ReportSubType");
        if (reportType is null)
        {
            return (null, reportClass, null, subType);
        }

        var classes = XarfV3Taxonomy.ClassesOf(reportType);
        if (classes.Count == 0)
        {
            check.Fail("Report.ReportType", $"'{XarfFieldCheck.Quote(reportType)}' is not a XARF v3 report type (one of {string.Join(", ", XarfV3Taxonomy.TypeNames)})");
            return (null, reportClass, reportType, subType);
        }

        if (reportClass is null)
        {
            return (null, null, reportType, subType);
        }

        if (!classes.Contains(reportClass))
        {
            check.Fail("Report.ReportClass", $"'{reportClass}' does not go with ReportType '{reportType}' (expected {string.Join(" or ", classes)})");
            return (null, reportClass, reportType, subType);
        }

        // The RPZ schema is the only Activity/Malware one, and it fixes the subtype.
        if (reportClass == "Activity" && reportType == "Malware" && subType != "RPZ-Rewrite")
        {
            // A subtype of the wrong JSON type has been reported already.
            if (!report.TryGetProperty("ReportSubType", out var given) || given.ValueKind == JsonValueKind.String)
            {
                check.Fail("Report.ReportSubType", "an Activity/Malware report is an RPZ rewrite and needs 'RPZ-Rewrite'");
            }

            return (null, reportClass, reportType, subType);
        }

        return (XarfV3Taxonomy.Rule(reportClass, reportType), reportClass, reportType, subType);
    }

    /// <summary>Custom holds the reporter's own key-value pairs: strings or integers only.</summary>
    private static void CheckCustom(JsonElement report, XarfFieldCheck check)
    {
        if (!check.Object(report, ReportPath, "Custom", required: false, out var custom))
        {
            return;
        }

        foreach (var property in custom.EnumerateObject())
        {
            var path = XarfFieldCheck.PathOf("Report.Custom", XarfFieldCheck.Quote(property.Name));
            if (property.Value.ValueKind == JsonValueKind.String)
            {
                continue;
            }

            if (property.Value.ValueKind == JsonValueKind.Number)
            {
                check.IntegerValue(property.Value, path, long.MinValue, long.MaxValue);
                continue;
            }

            check.Fail(path, $"expected a string or an integer, got {XarfFieldCheck.Describe(property.Value)}");
        }
    }

    private static Subject? ReadSubject(JsonElement report, XarfV3TypeRule rule, string reportType, XarfFieldCheck check)
    {
        var hasIp = report.TryGetProperty("SourceIp", out _);
        var hasUrl = report.TryGetProperty("SourceUrl", out _);
        var ip = check.Ip(report, ReportPath, "SourceIp", required: rule.Subject == XarfV3Subject.Ip);
        var urlText = check.Uri(report, ReportPath, "SourceUrl", required: reportType == "Phishing");
        var port = check.Integer(report, ReportPath, "SourcePort", 0, 65535);
        check.Integer(report, ReportPath, "ASN", 1, MaxAsn);

        switch (rule.Subject)
        {
            case XarfV3Subject.IpOrUrl when !hasIp && !hasUrl:
                check.Fail("Report.SourceIp", "missing (a report of this type needs SourceIp or SourceUrl)");
                return null;

            case XarfV3Subject.Account:
                return ReadAccountSubject(report, hasIp, hasUrl, check);
        }

        // Port 0 is allowed by the schema (it means "no port"); an event carries real ports only.
        var eventPort = port is >= 1 and <= 65535 ? (int)port.Value : (int?)null;
        var url = urlText is not null && XarfValueFormats.TryParseHostUrl(urlText, out var hostUrl) ? hostUrl : null;
        if (ip is null && url is null && urlText is not null)
        {
            check.Fail("Report.SourceUrl", $"'{XarfFieldCheck.Quote(urlText)}' names no host to act on");
            return null;
        }

        return ip is null && url is null ? null : new Subject(ip, eventPort, url);
    }

    /// <summary>
    /// A potentially compromised account is acted on where the account lives (DestinationIp); the attacker,
    /// if known, is in AttackerIp. SourceIp/SourceUrl would make the report claim a different subject, so
    /// the schema forbids them.
    /// </summary>
    private static Subject? ReadAccountSubject(JsonElement report, bool hasIp, bool hasUrl, XarfFieldCheck check)
    {
        if (hasIp || hasUrl)
        {
            check.Fail(hasIp ? "Report.SourceIp" : "Report.SourceUrl", "not allowed in a PotentiallyCompromisedAccount report (the attacker goes in AttackerIp)");
        }

        if (check.Object(report, ReportPath, "Account", required: true, out var account))
        {
            if (!account.EnumerateObject().Any())
            {
                check.Fail("Report.Account", $"empty (at least one of {string.Join(", ", AccountFields)})");
            }

            var identifier = check.String(account, "Report.Account", "AccountIdentifier");
            if (identifier is not null && XarfValueFormats.IsEmail(identifier))
            {
                check.Fail("Report.Account.AccountIdentifier", $"'{XarfFieldCheck.Quote(identifier)}' is an email address, which belongs in AccountEmail");
            }

            check.String(account, "Report.Account", "AccountEmail");
        }

        var ip = check.Ip(report, ReportPath, "DestinationIp");
        if (ip is null && !report.TryGetProperty("DestinationIp", out _))
        {
            check.Fail("Report.DestinationIp", "missing (the account's host, where a PotentiallyCompromisedAccount report is acted on)");
        }

        var port = check.PortOrPorts(report, ReportPath, "DestinationPort", 0);
        return ip is null ? null : new Subject(ip, port is >= 1 ? port : null, null);
    }

    private static void CheckTypeFields(JsonElement report, string reportClass, string reportType, XarfFieldCheck check)
    {
        var rpz = reportClass == "Activity" && reportType == "Malware";
        if (reportType is "DOS" or "Exploit" or "LoginAttack" or "PortScan" or "Spam" or "PotentiallyCompromisedAccount")
        {
            check.Ip(report, ReportPath, "DestinationIp");
            check.PortOrPorts(report, ReportPath, "DestinationPort", 0);
        }

        if (reportType is "DOS" or "LoginAttack" or "PortScan")
        {
            check.Integer(report, ReportPath, "ByteCount", long.MinValue, long.MaxValue);
            check.Integer(report, ReportPath, "PacketCount", long.MinValue, long.MaxValue);
        }

        // CommonProps (Ongoing, ThreatActor, Samples) belong to every type but these.
        if (!rpz && reportType is not ("ChildAbuse" or "Copyright" or "Trademark"))
        {
            check.Boolean(report, ReportPath, "Ongoing");
            check.String(report, ReportPath, "ThreatActor");
            CheckSamples(report, check);
        }

        switch (reportType)
        {
            case "Spam":
                check.Email(report, ReportPath, "SmtpMailFromAddress");
                check.Email(report, ReportPath, "SmtpRcptToAddress");
                break;
            case "Exploit":
                check.OneOf(report, ReportPath, "TransportProtocol", TransportProtocols);
                CheckCve(report, check);
                CheckCvss(report, check);
                check.String(report, ReportPath, "ServiceName");
                check.String(report, ReportPath, "ServiceVersion");
                break;
            case "OpenService":
                check.OneOf(report, ReportPath, "TransportProtocol", TransportProtocols);
                check.String(report, ReportPath, "ServiceName", required: true);
                check.String(report, ReportPath, "ServiceVersion");
                break;
            case "Copyright":
                check.String(report, ReportPath, "InfringedMaterial", required: true);
                check.String(report, ReportPath, "MaterialType");
                check.String(report, ReportPath, "SharingProtocol");
                check.Uri(report, ReportPath, "CourtOrder");
                CheckFile(report, ReportPath, check);
                break;
            case "Trademark":
                check.String(report, ReportPath, "TrademarkedMaterial", required: true);
                check.String(report, ReportPath, "RegistrationOffice");
                check.String(report, ReportPath, "RegistrationNumber");
                break;
            case "Botnet":
                check.String(report, ReportPath, "BotnetName");
                break;
            case "Malware":
                check.String(report, ReportPath, "MalwareName");
                if (rpz)
                {
                    check.Hostname(report, ReportPath, "RpzDomain");
                }

                break;
            case "Harassment":
                check.String(report, ReportPath, "Harasser", required: true);
                check.String(report, ReportPath, "HarassmentDescription", required: true);
                check.OneOf(report, ReportPath, "HarassmentType", HarassmentTypes);
                check.OneOf(report, ReportPath, "HarassmentLocation", HarassmentLocations);
                break;
            case "PotentiallyCompromisedAccount":
                check.Ip(report, ReportPath, "AttackerIp");
                check.PortOrPorts(report, ReportPath, "AttackerPort", 0);
                CheckHash(report, ReportPath, "PasswordHash", check);
                break;
        }
    }

    /// <summary>
    /// A sample is either evidence content (ContentType and Payload) or a file description (FileName); the
    /// schema accepts whichever fits (anyOf), so the content problems are reported only when neither does.
    /// </summary>
    private static void CheckSamples(JsonElement report, XarfFieldCheck check)
    {
        if (!check.Array(report, ReportPath, "Samples", required: false, 1, int.MaxValue, out var samples))
        {
            return;
        }

        var index = 0;
        foreach (var sample in samples.EnumerateArray())
        {
            var path = $"Report.Samples[{index++}]";
            if (!check.Expect(sample, path, JsonValueKind.Object))
            {
                continue;
            }

            var content = new XarfFieldCheck(Prefix);
            content.String(sample, path, "ContentType", required: true);
            content.Boolean(sample, path, "Base64Encoded");
            content.String(sample, path, "Description");
            content.String(sample, path, "Payload", required: true);
            if (!content.Failed)
            {
                continue;
            }

            var file = new XarfFieldCheck(Prefix);
            CheckFile(sample, path, file);
            if (file.Failed)
            {
                check.Include(content);
            }
        }
    }

    private static void CheckFile(JsonElement owner, string path, XarfFieldCheck check)
    {
        check.String(owner, path, "FileName", required: true);
        check.Integer(owner, path, "FileSize", 0, long.MaxValue);
        CheckHash(owner, path, "FileHash", check);
    }

    private static void CheckHash(JsonElement owner, string parent, string name, XarfFieldCheck check)
    {
        if (!check.Object(owner, parent, name, required: false, out var hash))
        {
            return;
        }

        var path = XarfFieldCheck.PathOf(parent, name);
        check.String(hash, path, "HashValue", required: true);
        check.OneOf(hash, path, "HashAlgorithm", HashAlgorithms, required: true);
        check.Boolean(hash, path, "HashComplete");
    }

    private static void CheckCve(JsonElement report, XarfFieldCheck check)
    {
        var cve = check.String(report, ReportPath, "CVE");
        if (cve is not null && !CvePattern().IsMatch(cve))
        {
            check.Fail("Report.CVE", $"'{XarfFieldCheck.Quote(cve)}' is not a CVE id (CVE-YYYY-NNNN)");
        }
    }

    /// <summary>CVSS: the vector must be written in the notation of the version it claims.</summary>
    private static void CheckCvss(JsonElement report, XarfFieldCheck check)
    {
        const string path = "Report.CVSS";
        if (!check.Object(report, ReportPath, "CVSS", required: false, out var cvss))
        {
            return;
        }

        var version = check.OneOf(cvss, path, "Version", CvssVersions, required: true);
        var vector = check.String(cvss, path, "Vector", required: true);
        check.Number(cvss, path, "Score", double.MinValue, double.MaxValue);
        if (version is null)
        {
            return;
        }

        var v2 = version == "2";
        check.OneOf(cvss, path, "Severity", v2 ? Cvss2Severities : Cvss3Severities);
        if (vector is not null && !(v2 ? Cvss2Vector() : Cvss3Vector()).IsMatch(vector))
        {
            check.Fail($"{path}.Vector", $"'{XarfFieldCheck.Quote(vector)}' is not a CVSS {version} vector");
        }
    }

    private static string? Excerpt(JsonElement report, string classType, string? subType, Party? reporter, Party? complainant)
    {
        var excerpt = new EvidenceExcerpt()
            .Add("Report", $"XARF v3 {classType}" + (subType is null ? string.Empty : $" ({subType})"))
            .Add("Reporter", reporter?.ToString())
            .Add("On behalf of", complainant?.ToString())
            .Add("Case-ID", JsonScalarText.Field(report, "ReporterCaseID"))
            .Add("Reporter severity", JsonScalarText.Field(report, "ReporterSeverity"))
            .Add("Date", JsonScalarText.Field(report, "Date"))
            .Add("First seen", JsonScalarText.Field(report, "FirstSeen"))
            .Add("Source", Endpoint(report, "SourceIp", "SourcePort"))
            .Add("Source URL", JsonScalarText.Field(report, "SourceUrl"))
            .Add("ASN", JsonScalarText.Field(report, "ASN"))
            .Add("Destination", Endpoint(report, "DestinationIp", "DestinationPort"));

        foreach (var name in ExcerptFields)
        {
            excerpt.Add(name, JsonScalarText.Field(report, name));
        }

        if (report.TryGetProperty("CVSS", out var cvss) && cvss.ValueKind == JsonValueKind.Object)
        {
            excerpt.Add("CVSS", string.Join(' ', new[] { "Version", "Score", "Severity", "Vector" }.Select(n => JsonScalarText.Field(cvss, n)).OfType<string>()));
        }

        if (report.TryGetProperty("Account", out var account) && account.ValueKind == JsonValueKind.Object)
        {
            foreach (var name in AccountFields)
            {
                excerpt.Add(name, JsonScalarText.Field(account, name));
            }
        }

        DescribeSamples(report, excerpt);
        return excerpt.Build();
    }

    /// <summary>
    /// Each sample by type, size and description. Only plain-text samples that are not base64 (log lines)
    /// are quoted, shortened; encoded or binary samples are never decoded.
    /// </summary>
    private static void DescribeSamples(JsonElement report, EvidenceExcerpt excerpt)
    {
        if (!report.TryGetProperty("Samples", out var samples) || samples.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        var index = 0;
        foreach (var sample in samples.EnumerateArray().Take(MaxSamplesDescribed))
        {
            var name = $"Sample {(++index).ToString(CultureInfo.InvariantCulture)}";
            var contentType = JsonScalarText.StringField(sample, "ContentType");
            var payload = JsonScalarText.StringField(sample, "Payload");
            var base64 = sample.TryGetProperty("Base64Encoded", out var flag) && flag.ValueKind == JsonValueKind.True;
            var size = payload is null ? null : base64 ? $"about {payload.Length / 4 * 3} bytes" : $"{payload.Length} characters";
            excerpt.Add(name, string.Join(", ", new[] { contentType, JsonScalarText.StringField(sample, "FileName"), size, JsonScalarText.StringField(sample, "Description") }.Where(p => !string.IsNullOrWhiteSpace(p))));
            if (!base64 && payload is not null && string.Equals(contentType, "text/plain", StringComparison.OrdinalIgnoreCase))
            {
                excerpt.Add($"{name} text", EvidenceExcerpt.Flatten(payload, MaxSampleTextShown));
            }
        }

        if (samples.GetArrayLength() > MaxSamplesDescribed)
        {
            excerpt.Add("More samples", (samples.GetArrayLength() - MaxSamplesDescribed).ToString(CultureInfo.InvariantCulture));
        }
    }

    private static string? Endpoint(JsonElement report, string ipField, string portField)
    {
        var ip = JsonScalarText.Field(report, ipField);
        var port = JsonScalarText.Field(report, portField);
        return ip is null ? null : port is null ? ip : $"{ip} port {port}";
    }

    [GeneratedRegex(@"^CVE-[0-9]{4}-[0-9]{4,7}\z")]
    private static partial Regex CvePattern();

    // CVSS v2 base vector, optionally with temporal and environmental groups, optionally in parentheses.
    [GeneratedRegex(@"^\(?AV:[LAN]/AC:[HML]/Au:[MSN]/C:[NPC]/I:[NPC]/A:[NPC](/E:(ND|POC|[UFH])/RL:(ND|OF|TF|[WU])/RC:(ND|UC|UR|C))?(/CDP:(ND|LM|MH|[NLH])/TD:(ND|[NLMH])/CR:(ND|[NLMH])/IR:(ND|[LMH])/AR:(ND|[LMH]))?\)?\z")]
    private static partial Regex Cvss2Vector();

    // CVSS v3.0/3.1 base vector, optionally with the temporal and environmental groups.
    [GeneratedRegex(@"^CVSS:3\.[01]/AV:[NALP]/AC:[LH]/PR:[NLH]/UI:[NR]/S:[UC]/C:[NLH]/I:[NLH]/A:[NLH](/E:[XUPFH]/RL:[XOTWU]/RC:[XURC])?(/CR:[XLMH]/IR:[XLMH]/AR:[XLMH]/MAV:[XNALP]/MAC:[XLH]/MPR:[XNLH]/MUI:[XNR]/MS:[XUC]/MC:[XNLH]/MI:[XNLH]/MA:[XNLH])?\z")]
    private static partial Regex Cvss3Vector();

    /// <summary>Who filed the report; a natural person is not named in evidence the customer sees.</summary>
    private sealed record Party(bool Person, string? Org, string? Domain)
    {
        public override string? ToString() =>
            Person || Org is null ? "a private person" : Domain is null ? Org : $"{Org} ({Domain})";
    }

    private sealed record Subject(string? Ip, int? Port, string? Url);
}
