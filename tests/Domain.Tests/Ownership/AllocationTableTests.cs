using System.Net;
using System.Net.Sockets;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Domain.Tests.Ownership;

public class AllocationTableTests
{
    private static readonly DateOnly Since = new(2020, 1, 1);

    private static Allocation Alloc(string cidr, string customerId) =>
        new(IpPrefixTests.Parse(cidr), customerId, $"res-{customerId}", $"{customerId}@example.net", Since);

    private static string? Owner(AllocationTable table, string address) =>
        table.Lookup(IPAddress.Parse(address))?.CustomerId;

    private static readonly Allocation[] NestedV4 =
    [
        Alloc("10.0.0.0/8", "v4-8"),
        Alloc("10.1.0.0/16", "v4-16"),
        Alloc("10.1.2.0/24", "v4-24"),
        Alloc("10.1.2.3/32", "v4-32"),
        Alloc("10.1.2.128/25", "v4-25"),
    ];

    private static readonly Allocation[] NestedV6 =
    [
        Alloc("2001:db8::/32", "v6-32"),
        Alloc("2001:db8:1::/48", "v6-48"),
        Alloc("2001:db8:1:2::/64", "v6-64"),
        Alloc("2001:db8:1:2::5/128", "v6-128"),
    ];

    [Theory]
    [InlineData("10.1.2.3", "v4-32")]
    [InlineData("10.1.2.4", "v4-24")]
    [InlineData("10.1.2.2", "v4-24")]
    [InlineData("10.1.2.127", "v4-24")]
    [InlineData("10.1.2.128", "v4-25")]
    [InlineData("10.1.2.255", "v4-25")]
    [InlineData("10.1.3.0", "v4-16")]
    [InlineData("10.1.255.255", "v4-16")]
    [InlineData("10.0.255.255", "v4-8")]
    [InlineData("10.2.0.0", "v4-8")]
    [InlineData("10.255.255.255", "v4-8")]
    [InlineData("11.0.0.0", null)]
    [InlineData("9.255.255.255", null)]
    [InlineData("2001:db8:1:2::5", "v6-128")]
    [InlineData("2001:db8:1:2::4", "v6-64")]
    [InlineData("2001:db8:1:2:ffff:ffff:ffff:ffff", "v6-64")]
    [InlineData("2001:db8:1:3::", "v6-48")]
    [InlineData("2001:db8:1:ffff::1", "v6-48")]
    [InlineData("2001:db8:2::1", "v6-32")]
    [InlineData("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "v6-32")]
    [InlineData("2001:db9::", null)]
    [InlineData("2001:db7:ffff::", null)]
    public void The_longest_matching_prefix_wins_in_both_families(string address, string? expected)
    {
        var table = new AllocationTable([.. NestedV4, .. NestedV6]);

        Assert.Equal(expected, Owner(table, address));
    }

    [Fact]
    public void Input_order_does_not_matter()
    {
        var forwards = new AllocationTable([.. NestedV4, .. NestedV6]);
        var backwards = new AllocationTable([.. NestedV6.Reverse(), .. NestedV4.Reverse()]);

        foreach (var address in new[] { "10.1.2.3", "10.1.2.4", "10.1.2.200", "10.1.3.1", "10.9.9.9", "2001:db8:1:2::5", "2001:db8:1:2::6", "2001:db8:1:9::", "2001:db8:9::" })
        {
            Assert.NotNull(Owner(forwards, address));
            Assert.Equal(Owner(forwards, address), Owner(backwards, address));
        }
    }

    [Fact]
    public void Lookup_returns_the_allocation_itself()
    {
        var allocation = new Allocation(IpPrefixTests.Parse("198.51.100.0/24"), "cust-42", "vm-7", "noc@cust42.example", new DateOnly(2019, 5, 6));
        var table = new AllocationTable([allocation]);

        Assert.Same(allocation, table.Lookup(IPAddress.Parse("198.51.100.9")));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void IPv4_mapped_IPv6_addresses_are_looked_up_as_IPv4()
    {
        var table = new AllocationTable([.. NestedV4, .. NestedV6]);

        Assert.Equal("v4-32", Owner(table, "::ffff:10.1.2.3"));
        Assert.Equal("v4-8", Owner(table, "::ffff:10.200.0.1"));
        Assert.Null(Owner(table, "::ffff:11.0.0.1"));
    }

    [Fact]
    public void An_IPv4_block_never_matches_an_IPv6_address_with_the_same_low_bits()
    {
        var table = new AllocationTable([Alloc("0.0.0.0/0", "all-v4"), Alloc("10.1.2.3/32", "host")]);

        Assert.Equal("host", Owner(table, "10.1.2.3"));
        Assert.Null(Owner(table, "::a01:203"));      // IPv4-compatible form of 10.1.2.3
        Assert.Null(Owner(table, "64:ff9b::a01:203")); // NAT64 form
        Assert.Null(Owner(table, "::"));
        Assert.Null(Owner(table, "2001:db8::1"));
    }

    [Fact]
    public void An_IPv6_block_never_matches_an_IPv4_address()
    {
        var table = new AllocationTable([Alloc("::/0", "all-v6"), Alloc("::a01:203/128", "compat-host")]);

        Assert.Equal("compat-host", Owner(table, "::a01:203"));
        Assert.Equal("all-v6", Owner(table, "2001:db8::1"));
        Assert.Null(Owner(table, "10.1.2.3"));
        Assert.Null(Owner(table, "::ffff:10.1.2.3"));
        Assert.Null(Owner(table, "0.0.0.0"));
    }

    [Theory]
    [InlineData("0.0.0.0", "default-v4")]
    [InlineData("255.255.255.255", "default-v4")]
    [InlineData("10.1.2.3", "host-v4")]
    [InlineData("10.1.2.2", "default-v4")]
    [InlineData("10.1.2.4", "default-v4")]
    [InlineData("::", "default-v6")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "default-v6")]
    [InlineData("2001:db8::1", "host-v6")]
    [InlineData("2001:db8::", "default-v6")]
    [InlineData("2001:db8::2", "default-v6")]
    public void Zero_length_blocks_catch_everything_in_their_family_and_host_blocks_only_their_host(string address, string expected)
    {
        var table = new AllocationTable(
        [
            Alloc("0.0.0.0/0", "default-v4"),
            Alloc("10.1.2.3/32", "host-v4"),
            Alloc("::/0", "default-v6"),
            Alloc("2001:db8::1/128", "host-v6"),
        ]);

        Assert.Equal(expected, Owner(table, address));
    }

    [Fact]
    public void Host_blocks_at_the_top_and_bottom_of_the_address_space()
    {
        var table = new AllocationTable(
        [
            Alloc("0.0.0.0/32", "v4-zero"),
            Alloc("255.255.255.255/32", "v4-max"),
            Alloc("::/128", "v6-zero"),
            Alloc("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "v6-max"),
        ]);

        Assert.Equal("v4-zero", Owner(table, "0.0.0.0"));
        Assert.Equal("v4-max", Owner(table, "255.255.255.255"));
        Assert.Equal("v6-zero", Owner(table, "::"));
        Assert.Equal("v6-max", Owner(table, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
        Assert.Null(Owner(table, "0.0.0.1"));
        Assert.Null(Owner(table, "255.255.255.254"));
        Assert.Null(Owner(table, "::1"));
        Assert.Null(Owner(table, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"));
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("2001:db8::1")]
    public void An_empty_table_finds_nothing(string address)
    {
        Assert.Null(AllocationTable.Empty.Lookup(IPAddress.Parse(address)));
        Assert.Equal(0, AllocationTable.Empty.Count);
        Assert.Null(new AllocationTable([]).Lookup(IPAddress.Parse(address)));
    }

    [Fact]
    public void A_table_with_only_one_family_finds_nothing_in_the_other()
    {
        var v4Only = new AllocationTable(NestedV4);
        var v6Only = new AllocationTable(NestedV6);

        Assert.Equal(NestedV4.Length, v4Only.Count);
        Assert.Null(Owner(v4Only, "2001:db8:1:2::5"));
        Assert.Null(Owner(v6Only, "10.1.2.3"));
        Assert.Equal("v4-32", Owner(v4Only, "10.1.2.3"));
        Assert.Equal("v6-128", Owner(v6Only, "2001:db8:1:2::5"));
    }

    /// <summary>
    /// Property: for random nested allocations and random probes, the indexed lookup answers exactly what a
    /// brute-force scan for the longest containing prefix answers. Seeded, so every run checks the same cases.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(42)]
    [InlineData(2026)]
    [InlineData(65535)]
    public void Lookup_equals_a_brute_force_longest_prefix_scan(int seed)
    {
        var random = new Random(seed);

        // A few roots per family so that many generated prefixes nest inside each other.
        var v4Roots = Enumerable.Range(0, 4).Select(_ => (UInt128)(uint)random.NextInt64(0, 1L << 32)).ToArray();
        var v6Roots = Enumerable.Range(0, 4).Select(_ => IpPrefixTests.RandomUInt128(random)).ToArray();

        var allocations = new Dictionary<IpPrefix, Allocation>();
        while (allocations.Count < 300)
        {
            var v4 = random.Next(2) == 0;
            var max = v4 ? 32 : 128;
            var roots = v4 ? v4Roots : v6Roots;
            // Lengths spread over the whole range, with /0 and full-length hosts included now and then.
            var length = random.Next(10) switch
            {
                0 => max,
                1 => random.Next(0, 3),
                _ => random.Next(max + 1),
            };
            // Start from a root and flip a few bits to make siblings and cousins.
            var value = roots[random.Next(roots.Length)];
            for (var flips = random.Next(3); flips > 0; flips--)
            {
                value ^= UInt128.One << random.Next(max);
            }

            var prefix = new IpPrefix(v4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6, value & Mask(length, max), length);
            allocations.TryAdd(prefix, new Allocation(prefix, $"c{allocations.Count}", $"r{allocations.Count}", "x@example.net", Since));
        }

        var table = new AllocationTable(allocations.Values.OrderBy(_ => random.Next()));
        Assert.Equal(allocations.Count, table.Count);

        var list = allocations.Values.ToList();
        var hits = 0;
        var nestedHits = 0;
        for (var probe = 0; probe < 5000; probe++)
        {
            IPAddress address;
            switch (random.Next(4))
            {
                case 0:
                {
                    // Anywhere at all.
                    address = random.Next(2) == 0
                        ? IpAddresses.FromUInt128((uint)random.NextInt64(0, 1L << 32), AddressFamily.InterNetwork)
                        : IpAddresses.FromUInt128(IpPrefixTests.RandomUInt128(random), AddressFamily.InterNetworkV6);
                    break;
                }

                case 3:
                {
                    // Near a root: one bit away, often inside some blocks but outside others.
                    var v4 = random.Next(2) == 0;
                    var max = v4 ? 32 : 128;
                    var root = (v4 ? v4Roots : v6Roots)[random.Next(4)] ^ (UInt128.One << random.Next(max));
                    address = IpAddresses.FromUInt128(root, v4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6);
                    break;
                }

                default:
                {
                    // Inside a random allocated block, with random host bits.
                    var block = list[random.Next(list.Count)].Prefix;
                    var host = IpPrefixTests.RandomUInt128(random) & ~Mask(block.Length, block.MaxLength) & Mask(block.MaxLength, block.MaxLength);
                    address = IpAddresses.FromUInt128(block.Network | host, block.Family);
                    break;
                }
            }

            if (address.AddressFamily == AddressFamily.InterNetwork && random.Next(5) == 0)
            {
                address = address.MapToIPv6();
            }

            var containing = list.Where(a => a.Prefix.Contains(address)).ToList();
            var expected = containing.MaxBy(a => a.Prefix.Length);
            var actual = table.Lookup(address);

            Assert.True(ReferenceEquals(expected, actual), $"{address}: expected {expected?.Prefix.ToString() ?? "none"}, got {actual?.Prefix.ToString() ?? "none"}");
            if (expected is not null)
            {
                hits++;
                nestedHits += containing.Count > 1 ? 1 : 0;
            }
        }

        // The property only means something if the probes exercised matches and nested matches.
        Assert.True(hits > 2000, $"only {hits} probes matched");
        Assert.True(nestedHits > 1000, $"only {nestedHits} probes matched nested blocks");
    }

    private static UInt128 Mask(int length, int max) =>
        length == 0 ? UInt128.Zero : (UInt128.MaxValue << (128 - length)) >> (128 - max);
}
