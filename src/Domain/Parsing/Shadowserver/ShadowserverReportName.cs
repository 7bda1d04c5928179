namespace AbuseDesk.Domain.Parsing.Shadowserver;

/// <summary>
/// Reads the report type out of a Shadowserver file name. Shadowserver names its files
/// <c>YYYY-MM-DD-&lt;type&gt;-&lt;identifier&gt;.csv</c> (report_schema, report-filename.md), e.g.
/// <c>2019-10-15-scan_ldap_tcp-sample-asn.csv</c>; types never contain a hyphen. Archives and exports also
/// name a file after its bare type (<c>scan_ssh.csv</c>).
/// </summary>
internal static class ShadowserverReportName
{
    /// <summary>Longest type name accepted; real ones are under 40 characters.</summary>
    public const int MaxTypeLength = 64;

    private const int DatePrefixLength = 11; // "YYYY-MM-DD-"

    /// <summary>
    /// The report type a file name states, lower case, or null. A dated name states its type whatever it is;
    /// a bare name counts only when it is a known type or looks like one (has an underscore), so an upload
    /// called "report.csv" is not taken for a report type called "report".
    /// </summary>
    public static string? TypeFromFileName(string? fileName) => Parse(fileName, out _);

    /// <summary>
    /// An attachment is a Shadowserver report when its name is a dated report name, or a bare known type,
    /// ending in .csv, .csv.zip or .zip.
    /// </summary>
    public static bool IsReportFileName(string? fileName)
    {
        var type = Parse(fileName, out var dated);
        if (type is null || !HasReportExtension(fileName!))
        {
            return false;
        }

        return dated || ShadowserverReportTypes.TryGet(type, out _);
    }

    /// <summary>A type name as given by a person or system (a hint): same rules as in a file name.</summary>
    public static string? NormalizeType(string? text)
    {
        var candidate = text.AsSpan().Trim();
        return IsTypeToken(candidate) ? candidate.ToString().ToLowerInvariant() : null;
    }

    private static string? Parse(string? fileName, out bool dated)
    {
        dated = false;
        if (string.IsNullOrWhiteSpace(fileName))
        {
            return null;
        }

        var name = fileName.AsSpan().Trim();
        var lastSeparator = name.LastIndexOfAny('/', '\\');
        name = name[(lastSeparator + 1)..];
        name = WithoutSuffix(name, ".zip");
        name = WithoutSuffix(name, ".csv");

        if (HasDatePrefix(name))
        {
            var rest = name[DatePrefixLength..];
            var hyphen = rest.IndexOf('-');
            var type = hyphen >= 0 ? rest[..hyphen] : rest;
            if (!IsTypeToken(type))
            {
                return null;
            }

            dated = true;
            return type.ToString().ToLowerInvariant();
        }

        if (!IsTypeToken(name))
        {
            return null;
        }

        var bare = name.ToString().ToLowerInvariant();
        return ShadowserverReportTypes.TryGet(bare, out _) || bare.Contains('_', StringComparison.Ordinal) ? bare : null;
    }

    private static bool HasReportExtension(string fileName)
    {
        var name = fileName.AsSpan().Trim();
        return name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);
    }

    private static ReadOnlySpan<char> WithoutSuffix(ReadOnlySpan<char> name, string suffix) =>
        name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) ? name[..^suffix.Length] : name;

    private static bool HasDatePrefix(ReadOnlySpan<char> name) =>
        name.Length > DatePrefixLength
        && char.IsAsciiDigit(name[0]) && char.IsAsciiDigit(name[1]) && char.IsAsciiDigit(name[2]) && char.IsAsciiDigit(name[3])
        && name[4] == '-'
        && char.IsAsciiDigit(name[5]) && char.IsAsciiDigit(name[6])
        && name[7] == '-'
        && char.IsAsciiDigit(name[8]) && char.IsAsciiDigit(name[9])
        && name[10] == '-';

    /// <summary>Letters, digits and underscores only: a type ends up in storage keys and on screens.</summary>
    private static bool IsTypeToken(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length > MaxTypeLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
