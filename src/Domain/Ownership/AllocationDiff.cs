namespace AbuseDesk.Domain.Ownership;

/// <summary>
/// What replacing the allocation table would change, so ops can check an import before it routes every new
/// report differently. Prefixes are compared as blocks (2001:db8::/32 written two ways is one block).
/// </summary>
public sealed record AllocationDiff(
    IReadOnlyList<Allocation> Added,
    IReadOnlyList<Allocation> Removed,
    IReadOnlyList<AllocationDiff.Change> Changed,
    IReadOnlyList<string> CustomersAdded,
    IReadOnlyList<string> CustomersRemoved,
    int Unchanged)
{
    /// <summary>A block in both tables whose owner, resource, contact, customer-since or mail language differ.</summary>
    public sealed record Change(Allocation Before, Allocation After)
    {
        public bool OwnerChanged => !string.Equals(Before.CustomerId, After.CustomerId, StringComparison.Ordinal);

        public IReadOnlyList<string> Fields =>
        [
            .. OwnerChanged ? ["customerId"] : Array.Empty<string>(),
            .. Before.ResourceId != After.ResourceId ? ["resourceId"] : Array.Empty<string>(),
            .. Before.ContactEmail != After.ContactEmail ? ["contactEmail"] : Array.Empty<string>(),
            .. Before.CustomerSince != After.CustomerSince ? ["customerSince"] : Array.Empty<string>(),
            .. Before.Language != After.Language ? ["language"] : Array.Empty<string>(),
        ];
    }

    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Changed.Count == 0;

    public static AllocationDiff Between(IEnumerable<Allocation> current, IEnumerable<Allocation> proposed)
    {
        var before = Index(current);
        var after = Index(proposed);
        var added = after.Values.Where(a => !before.ContainsKey(a.Prefix)).ToList();
        var removed = before.Values.Where(a => !after.ContainsKey(a.Prefix)).ToList();
        var changed = new List<Change>();
        var unchanged = 0;
        foreach (var (prefix, was) in before)
        {
            if (!after.TryGetValue(prefix, out var now))
            {
                continue;
            }

            if (was == now)
            {
                unchanged++;
            }
            else
            {
                changed.Add(new Change(was, now));
            }
        }

        var customersBefore = before.Values.Select(a => a.CustomerId).ToHashSet(StringComparer.Ordinal);
        var customersAfter = after.Values.Select(a => a.CustomerId).ToHashSet(StringComparer.Ordinal);
        return new AllocationDiff(
            added,
            removed,
            changed,
            customersAfter.Except(customersBefore).Order(StringComparer.Ordinal).ToList(),
            customersBefore.Except(customersAfter).Order(StringComparer.Ordinal).ToList(),
            unchanged);
    }

    // Sorted by address so the diff reads like a routing table and is stable between runs.
    private static SortedDictionary<IpPrefix, Allocation> Index(IEnumerable<Allocation> allocations)
    {
        var index = new SortedDictionary<IpPrefix, Allocation>(Comparer<IpPrefix>.Create((a, b) =>
            a.Family != b.Family ? a.Family.CompareTo(b.Family) : a.Network != b.Network ? a.Network.CompareTo(b.Network) : a.Length.CompareTo(b.Length)));
        foreach (var allocation in allocations)
        {
            // A table read from storage never holds a block twice (the import refuses it); last one wins otherwise.
            index[allocation.Prefix] = allocation;
        }

        return index;
    }
}
