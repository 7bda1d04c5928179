namespace AbuseDesk.Domain.Parsing.Shadowserver;

/// <summary>
/// Where a report's header puts the fields an event needs. Shadowserver's scan and list reports name the
/// reported host <c>ip</c>/<c>port</c>; its event reports (event4_*, event6_*) name it <c>src_ip</c>/<c>src_port</c>;
/// a few name it otherwise, as the type's row in <see cref="ShadowserverReportTypes"/> says.
/// </summary>
internal sealed class ShadowserverColumns
{
    private const int MaxColumnsListed = 20;

    private ShadowserverColumns(string[] header)
    {
        Count = header.Length;
        EvidencePrefixes = EvidenceLine.Prefixes(header);
    }

    public int Count { get; }

    public int Address { get; private init; } = -1;

    public int Port { get; private init; } = -1;

    public int Timestamp { get; private init; } = -1;

    /// <summary>The <c>url</c> column: a full URL, or a path on <see cref="UrlHost"/>.</summary>
    public int Url { get; private init; } = -1;

    /// <summary>The host a relative <see cref="Url"/> is on (<c>http_host</c>, else <c>host</c>).</summary>
    public int UrlHost { get; private init; } = -1;

    /// <summary>The <c>application</c> column, "http" or "https" for a relative <see cref="Url"/>.</summary>
    public int Application { get; private init; } = -1;

    /// <summary>Whether <see cref="Url"/> names the reported resource (see <see cref="ShadowserverReportType.NamesUrl"/>).</summary>
    public bool UrlIsReported { get; private init; }

    public string[] EvidencePrefixes { get; }

    /// <summary>
    /// Finds the columns in the current record of <paramref name="header"/>, or explains why the report
    /// cannot be read: without an address (or, where the URL is the subject, a URL) no row can become an event.
    /// </summary>
    public static ShadowserverColumns? Find(CsvRecordReader header, ShadowserverReportType? type, out string? error)
    {
        var names = new string[header.FieldCount];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = header[i].Trim().ToString();
        }

        var (address, port) = AddressColumns(names, type);
        var url = IndexOf(names, "url");

        // Known non-URL reports keep their URLs as evidence; an unknown report may be URL-only.
        var urlIsReported = url >= 0 && (type is null || type.NamesUrl);
        if (address < 0 && !urlIsReported)
        {
            error = url >= 0
                ? $"no ip or src_ip column in the header (a {type!.Name} report names no URL as the reported resource); columns found: {Listed(names)}"
                : $"no ip, src_ip or url column in the header; columns found: {Listed(names)}";
            return null;
        }

        error = null;
        return new ShadowserverColumns(names)
        {
            Address = address,
            Port = port,
            Timestamp = IndexOf(names, "timestamp"),
            Url = urlIsReported ? url : -1,
            UrlHost = type?.NamesUrl == true ? FirstOf(names, "http_host", "host") : -1,
            Application = IndexOf(names, "application"),
            UrlIsReported = urlIsReported,
        };
    }

    private static (int Address, int Port) AddressColumns(string[] names, ShadowserverReportType? type)
    {
        if (type?.AddressColumn is { } stated && IndexOf(names, stated) is var statedIndex and >= 0)
        {
            return (statedIndex, type.PortColumn is { } port ? IndexOf(names, port) : -1);
        }

        var ip = IndexOf(names, "ip");
        if (ip >= 0)
        {
            return (ip, IndexOf(names, "port"));
        }

        var sourceIp = IndexOf(names, "src_ip");
        return sourceIp >= 0 ? (sourceIp, IndexOf(names, "src_port")) : (-1, -1);
    }

    private static int FirstOf(string[] names, string first, string second) =>
        IndexOf(names, first) is var index and >= 0 ? index : IndexOf(names, second);

    private static int IndexOf(string[] names, string name)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Listed(string[] names)
    {
        if (names.Length == 0)
        {
            return "none";
        }

        var listed = names.Take(MaxColumnsListed).Select(name => $"'{EvidenceExcerpt.Flatten(name, 40)}'");
        return string.Join(", ", listed) + (names.Length > MaxColumnsListed ? $" and {names.Length - MaxColumnsListed} more" : string.Empty);
    }
}
