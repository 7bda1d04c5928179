using System.Net;
using System.Net.Sockets;

namespace AbuseDesk.Domain.Ownership;

/// <summary>
/// Longest-prefix match over the provider's allocations. One hash map per (family, prefix length):
/// a lookup masks the address once per length in use, longest first, so the cost is bounded by the
/// number of distinct lengths (a handful in practice), not by the number of allocations.
/// </summary>
public sealed class AllocationTable
{
    private readonly (int Length, Dictionary<UInt128, Allocation> Blocks)[] _v4;
    private readonly (int Length, Dictionary<UInt128, Allocation> Blocks)[] _v6;

    public AllocationTable(IEnumerable<Allocation> allocations)
    {
        var list = allocations.ToList();
        Count = list.Count;
        _v4 = Index(list, AddressFamily.InterNetwork);
        _v6 = Index(list, AddressFamily.InterNetworkV6);
    }

    public static AllocationTable Empty { get; } = new([]);

    public int Count { get; }

    public Allocation? Lookup(IPAddress address)
    {
        address = IpAddresses.Normalize(address);
        var (levels, max) = address.AddressFamily == AddressFamily.InterNetwork ? (_v4, 32) : (_v6, 128);
        var value = IpAddresses.ToUInt128(address);
        foreach (var (length, blocks) in levels)
        {
            if (blocks.TryGetValue(value & IpPrefix.Mask(length, max), out var allocation))
            {
                return allocation;
            }
        }

        return null;
    }

    private static (int, Dictionary<UInt128, Allocation>)[] Index(List<Allocation> allocations, AddressFamily family) =>
        allocations
            .Where(a => a.Prefix.Family == family)
            .GroupBy(a => a.Prefix.Length)
            .OrderByDescending(g => g.Key)
            .Select(g => (g.Key, g.ToDictionary(a => a.Prefix.Network)))
            .ToArray();
}
