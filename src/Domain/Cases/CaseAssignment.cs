using System.Security.Cryptography;
using System.Text;
using AbuseDesk.Domain.Ownership;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Cases;

/// <summary>What makes two events the same problem: one open case per customer, resource and abuse class.</summary>
public readonly record struct CaseKey(string CustomerId, string ResourceId, AbuseClass AbuseClass)
{
    /// <summary>The row key of the open-case index within the customer's partition.</summary>
    public string IndexKey => $"{ResourceId}|{AbuseClass.ToWireName()}";
}

/// <summary>An event after ownership lookup: its position in the report and where it belongs (if anywhere).</summary>
public sealed record RoutedEvent(int Index, ReportEvent Event, Allocation? Allocation, string? UnroutedReason)
{
    public bool Routed => Allocation is not null;
}

public sealed record CaseGroup(CaseKey Key, Allocation Allocation, IReadOnlyList<RoutedEvent> Events);

public static class CaseAssignment
{
    /// <summary>Looks every event up in the allocation table. Non-public and missing addresses stay unrouted, with why.</summary>
    public static RoutedEvent Route(int index, ReportEvent reportEvent, AllocationTable allocations)
    {
        if (reportEvent.Ip is null)
        {
            return new RoutedEvent(index, reportEvent, null, "no IP address (URL-only events need a hostname lookup)");
        }

        var address = IpAddresses.TryParse(reportEvent.Ip);
        if (address is null)
        {
            return new RoutedEvent(index, reportEvent, null, "invalid IP address");
        }

        if (IpAddresses.IsNonPublic(address))
        {
            return new RoutedEvent(index, reportEvent, null, "private or reserved address");
        }

        var allocation = allocations.Lookup(address);
        return allocation is null
            ? new RoutedEvent(index, reportEvent, null, "outside the provider's network")
            : new RoutedEvent(index, reportEvent, allocation, null);
    }

    /// <summary>Groups a report's routed events by case key, in first-seen order so the result is deterministic.</summary>
    public static IReadOnlyList<CaseGroup> Group(IEnumerable<RoutedEvent> events) =>
        events
            .Where(e => e.Allocation is not null)
            .GroupBy(e => new CaseKey(e.Allocation!.CustomerId, e.Allocation.ResourceId, e.Event.AbuseClass))
            .Select(g => new CaseGroup(g.Key, g.First().Allocation!, g.ToList()))
            .ToList();

    /// <summary>
    /// A new case's id is derived from what opened it, so a retried assignment after a crash proposes the
    /// same id instead of minting a second case.
    /// </summary>
    public static string NewCaseId(CaseKey key, string reportId, int firstEventIndex, DateTimeOffset openedAt)
    {
        var seed = $"{key.CustomerId}|{key.ResourceId}|{key.AbuseClass.ToWireName()}|{reportId}|{firstEventIndex}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        return $"{openedAt:yyyyMMdd}-{Convert.ToHexStringLower(hash, 0, 6)}";
    }
}
