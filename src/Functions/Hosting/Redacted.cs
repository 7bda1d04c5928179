using System.Security.Cryptography;
using System.Text;

namespace AbuseDesk.Functions.Hosting;

/// <summary>
/// What of a request may be written to logs and telemetry. A portal path carries the customer's signed link (a
/// 30-day credential) and a query may carry the ops key (<c>?code=</c>), so neither goes out whole: the token becomes
/// a short marker (the first 8 hex digits of its SHA-256, enough to tell one link's requests from another's, never
/// enough to rebuild it), and query values are dropped.
/// </summary>
public static class Redacted
{
    private const string PortalCases = "/portal/cases";

    public static string Path(PathString path)
    {
        if (!path.StartsWithSegments(PortalCases, StringComparison.OrdinalIgnoreCase, out _, out var rest)
            || rest.Value is not { Length: > 1 } tail)
        {
            return path.Value ?? "";
        }

        var end = tail.IndexOf('/', 1);
        var token = end < 0 ? tail[1..] : tail[1..end];
        var marker = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)), 0, 4);
        return $"{PortalCases}/{{token:{marker}}}{(end < 0 ? "" : tail[end..])}";
    }

    /// <summary>The query's names with every value replaced: "?code=Redacted&amp;done=Redacted".</summary>
    public static string Query(QueryString query)
    {
        if (!query.HasValue || query.Value is not { Length: > 1 } text)
        {
            return "";
        }

        return "?" + string.Join('&', text[1..].Split('&').Select(pair => pair.IndexOf('=', StringComparison.Ordinal) is var at and >= 0 ? pair[..at] + "=Redacted" : pair));
    }
}
