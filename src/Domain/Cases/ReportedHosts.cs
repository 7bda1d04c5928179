using System.Globalization;
using AbuseDesk.Domain.Ownership;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Cases;

/// <summary>What a DNS lookup of a reported URL's host answered, and when: evidence of why an event went where it went.</summary>
/// <param name="Error">Why there is no address ("NXDOMAIN", "timed out", "not looked up: …"); null when it resolved.</param>
public sealed record HostAnswer(string Host, IReadOnlyList<string> Addresses, DateTimeOffset ResolvedAt, string? Error)
{
    public const int MaxAddresses = 16;
}

/// <summary>
/// URL-only complaints (phishing, malware hosting, copyright) name a host, not an IP. The host of such an event is
/// looked up in DNS (never the URL fetched) and the event routed by the answer; this decides which host to look up
/// and what the answer makes of the event. Pure: the lookup itself is the caller's.
/// </summary>
public static class ReportedHosts
{
    private const int MaxHostLength = 253;

    /// <summary>The host to look up for an event that names a URL but no IP, lower-case ASCII (IDN as punycode); else null.</summary>
    public static string? HostToResolve(ReportEvent reportEvent)
    {
        if (reportEvent.Ip is not null || reportEvent.Url is null
            || !Uri.TryCreate(reportEvent.Url, UriKind.Absolute, out var uri) || uri.HostNameType != UriHostNameType.Dns)
        {
            return null;
        }

        string host;
        try
        {
            host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
        }
        catch (UriFormatException)
        {
            return null;
        }

        // A single label ("localhost", "intranet") is nobody's public site; only names in a public zone are looked up.
        if (host.Length is 0 or > MaxHostLength || !host.Contains('.', StringComparison.Ordinal))
        {
            return null;
        }

        foreach (var label in host.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-'
                || !label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
            {
                return null;
            }
        }

        return host;
    }

    /// <summary>
    /// The event routed by its host's answer: it takes the first address inside the provider's network, or else the
    /// first address (so an outside host is told apart from one that did not resolve), and its evidence says what
    /// was looked up, when, and what came back. An answer without addresses leaves the event as it was.
    /// </summary>
    public static ReportEvent Resolved(ReportEvent reportEvent, HostAnswer answer, AllocationTable allocations)
    {
        if (answer.Addresses.Count == 0)
        {
            return reportEvent;
        }

        var chosen = answer.Addresses.FirstOrDefault(a => IpAddresses.TryParse(a) is { } ip && allocations.Lookup(ip) is not null)
            ?? answer.Addresses[0];
        var note = string.Create(CultureInfo.InvariantCulture,
            $"[DNS {answer.ResolvedAt:yyyy-MM-ddTHH:mm:ssZ}] {answer.Host} → {string.Join(", ", answer.Addresses)}");
        return reportEvent with
        {
            Ip = chosen,
            Evidence = ReportEvent.BoundEvidence(string.IsNullOrEmpty(reportEvent.Evidence) ? note : note + "\n" + reportEvent.Evidence),
        };
    }

    /// <summary>
    /// Routes an event as <see cref="CaseAssignment.Route"/> does, by its host's answer when it names a URL but no IP and
    /// its host was looked up; an event whose host gave no address stays unrouted saying so.
    /// </summary>
    public static RoutedEvent Route(int index, ReportEvent reportEvent, AllocationTable allocations, IReadOnlyDictionary<string, HostAnswer> answers)
    {
        if (HostToResolve(reportEvent) is not { } host || !answers.TryGetValue(host, out var answer))
        {
            return CaseAssignment.Route(index, reportEvent, allocations);
        }

        return answer.Addresses.Count > 0
            ? CaseAssignment.Route(index, Resolved(reportEvent, answer, allocations), allocations)
            : new RoutedEvent(index, reportEvent, null, $"{UnresolvedPrefix} {host} did not resolve ({answer.Error ?? "no address"})");
    }

    /// <summary>How the unrouted reason of an event whose host gave no address starts (the feedback mails name it by this).</summary>
    public const string UnresolvedPrefix = "no IP address: host";
}
