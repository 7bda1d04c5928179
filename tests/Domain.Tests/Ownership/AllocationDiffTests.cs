using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Domain.Tests.Ownership;

public class AllocationDiffTests
{
    private static readonly DateOnly Since = new(2024, 1, 1);

    private static Allocation Alloc(string cidr, string customerId, string? resourceId = null, string? email = null, DateOnly? since = null) =>
        new(IpPrefixTests.Parse(cidr), customerId, resourceId ?? $"res-{customerId}", email ?? $"{customerId}@example.net", since ?? Since);

    [Fact]
    public void Identical_tables_have_an_empty_diff()
    {
        Allocation[] table = [Alloc("192.0.2.0/24", "a"), Alloc("2001:db8::/32", "b")];
        var diff = AllocationDiff.Between(table, table.Reverse());
        Assert.True(diff.IsEmpty);
        Assert.Equal(2, diff.Unchanged);
        Assert.Empty(diff.CustomersAdded);
        Assert.Empty(diff.CustomersRemoved);
    }

    [Fact]
    public void Added_removed_and_changed_blocks_and_customers_are_reported()
    {
        Allocation[] current = [Alloc("192.0.2.0/24", "a"), Alloc("198.51.100.0/24", "b"), Alloc("203.0.113.0/24", "c"), Alloc("2001:db8::/48", "d")];
        Allocation[] proposed =
        [
            Alloc("192.0.2.0/24", "a"),
            Alloc("198.51.100.0/24", "e"),
            Alloc("2001:db8::/48", "d", email: "noc@d.example"),
            Alloc("2001:db8:1::/48", "a"),
        ];

        var diff = AllocationDiff.Between(current, proposed);

        Assert.Equal("2001:db8:1::/48", Assert.Single(diff.Added).Prefix.ToString());
        Assert.Equal("203.0.113.0/24", Assert.Single(diff.Removed).Prefix.ToString());
        Assert.Equal(2, diff.Changed.Count);
        var owner = Assert.Single(diff.Changed, c => c.OwnerChanged);
        Assert.Equal(("b", "e"), (owner.Before.CustomerId, owner.After.CustomerId));
        Assert.Equal(["customerId", "resourceId", "contactEmail"], owner.Fields);
        var contact = Assert.Single(diff.Changed, c => !c.OwnerChanged);
        Assert.Equal(["contactEmail"], contact.Fields);
        Assert.Equal(["e"], diff.CustomersAdded);
        Assert.Equal(["b", "c"], diff.CustomersRemoved);
        Assert.Equal(1, diff.Unchanged);
        Assert.False(diff.IsEmpty);
    }

    [Fact]
    public void A_customer_moving_to_other_blocks_is_neither_added_nor_removed()
    {
        var diff = AllocationDiff.Between([Alloc("192.0.2.0/25", "a")], [Alloc("192.0.2.128/25", "a")]);
        Assert.Single(diff.Added);
        Assert.Single(diff.Removed);
        Assert.Empty(diff.CustomersAdded);
        Assert.Empty(diff.CustomersRemoved);
    }

    [Fact]
    public void Blocks_of_the_same_network_but_another_length_or_family_are_different_blocks()
    {
        var diff = AllocationDiff.Between([Alloc("10.0.0.0/8", "a"), Alloc("::/0", "z")], [Alloc("10.0.0.0/16", "a"), Alloc("0.0.0.0/0", "z")]);
        Assert.Equal(2, diff.Added.Count);
        Assert.Equal(2, diff.Removed.Count);
        Assert.Empty(diff.Changed);
    }

    [Fact]
    public void A_changed_customer_since_is_a_change_of_that_field_only()
    {
        var diff = AllocationDiff.Between([Alloc("192.0.2.0/24", "a")], [Alloc("192.0.2.0/24", "a", since: new DateOnly(2019, 5, 1))]);
        var change = Assert.Single(diff.Changed);
        Assert.Equal(["customerSince"], change.Fields);
        Assert.False(change.OwnerChanged);
    }
}
