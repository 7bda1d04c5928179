using System.Text.RegularExpressions;
using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Ownership;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Cases;

public class CaseAssignmentTests
{
    private static readonly DateOnly Since = new(2020, 1, 1);

    private static Allocation Alloc(string cidr, string customerId, string resourceId) =>
        new(IpPrefix.TryParse(cidr, out var prefix, out var error) ? prefix : throw new ArgumentException(error), customerId, resourceId, $"{customerId}@example.net", Since);

    private static readonly Allocation Web = Alloc("198.51.100.0/24", "cust-a", "web-1");
    private static readonly Allocation WebV6 = Alloc("2001:db8:a::/48", "cust-a", "web-1");
    private static readonly Allocation Mail = Alloc("198.51.100.64/26", "cust-a", "mail-1");
    private static readonly Allocation OtherCustomer = Alloc("203.0.113.0/24", "cust-b", "web-1");
    // Private space that somebody put in the allocation table by mistake: it must still never route.
    private static readonly Allocation Private = Alloc("10.0.0.0/8", "cust-c", "lan");

    private static readonly AllocationTable Table = new([Web, WebV6, Mail, OtherCustomer, Private]);

    private static ReportEvent Event(string? ip, AbuseClass abuseClass = AbuseClass.Spam, string? url = null) =>
        new() { Ip = ip, Url = url, AbuseClass = abuseClass, ReportType = "test" };

    [Fact]
    public void An_event_inside_an_allocation_is_routed_to_it()
    {
        var reportEvent = Event("198.51.100.7");

        var routed = CaseAssignment.Route(3, reportEvent, Table);

        Assert.True(routed.Routed);
        Assert.Same(Web, routed.Allocation);
        Assert.Null(routed.UnroutedReason);
        Assert.Equal(3, routed.Index);
        Assert.Same(reportEvent, routed.Event);
    }

    [Theory]
    [InlineData("198.51.100.70", "mail-1")]
    [InlineData("198.51.100.130", "web-1")]
    [InlineData("::ffff:198.51.100.70", "mail-1")]
    [InlineData("2001:db8:a:1::9", "web-1")]
    [InlineData("[2001:db8:a::1]", "web-1")]
    public void Routing_uses_the_longest_prefix_and_reads_both_families(string ip, string resourceId)
    {
        var routed = CaseAssignment.Route(0, Event(ip), Table);

        Assert.True(routed.Routed, routed.UnroutedReason);
        Assert.Equal(resourceId, routed.Allocation!.ResourceId);
    }

    [Fact]
    public void An_event_without_an_IP_is_unrouted_and_says_why()
    {
        var routed = CaseAssignment.Route(1, Event(null, AbuseClass.Phishing, "https://phish.example/login"), Table);

        Assert.False(routed.Routed);
        Assert.Null(routed.Allocation);
        Assert.Equal("no IP address (URL-only events need a hostname lookup)", routed.UnroutedReason);
        Assert.Equal(1, routed.Index);
    }

    [Theory]
    [InlineData("999.1.1.1")]
    [InlineData("198.51.100")]
    [InlineData("not an ip")]
    [InlineData("")]
    [InlineData("198.051.100.7")]
    public void An_event_with_an_invalid_IP_is_unrouted_and_says_why(string ip)
    {
        var routed = CaseAssignment.Route(0, Event(ip), Table);

        Assert.False(routed.Routed);
        Assert.Equal("invalid IP address", routed.UnroutedReason);
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("192.168.1.1")]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("::1")]
    [InlineData("fd00::1")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:10.1.2.3")]
    public void An_event_from_a_private_or_reserved_address_is_unrouted_even_if_allocated(string ip)
    {
        var routed = CaseAssignment.Route(0, Event(ip), Table);

        Assert.False(routed.Routed);
        Assert.Null(routed.Allocation);
        Assert.Equal("private or reserved address", routed.UnroutedReason);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("198.51.101.1")]
    [InlineData("2001:db8:b::1")]
    public void An_event_outside_the_network_is_unrouted_and_says_why(string ip)
    {
        var routed = CaseAssignment.Route(0, Event(ip), Table);

        Assert.False(routed.Routed);
        Assert.Equal("outside the provider's network", routed.UnroutedReason);
    }

    [Fact]
    public void Nothing_routes_against_an_empty_table()
    {
        var routed = CaseAssignment.Route(0, Event("198.51.100.7"), AllocationTable.Empty);

        Assert.Equal("outside the provider's network", routed.UnroutedReason);
    }

    [Fact]
    public void Groups_by_customer_resource_and_class_in_first_seen_order()
    {
        var events = new[]
        {
            Event("198.51.100.70", AbuseClass.Spam),        // 0 cust-a mail-1 spam
            Event("198.51.100.7", AbuseClass.Spam),         // 1 cust-a web-1 spam
            Event("8.8.8.8", AbuseClass.Spam),              // 2 unrouted
            Event("203.0.113.5", AbuseClass.Spam),          // 3 cust-b web-1 spam (same resource id, other customer)
            Event("198.51.100.8", AbuseClass.Phishing),     // 4 cust-a web-1 phishing
            Event("2001:db8:a::5", AbuseClass.Spam),        // 5 cust-a web-1 spam again (over IPv6)
            Event(null, AbuseClass.Spam, "http://x.example"), // 6 unrouted
            Event("198.51.100.71", AbuseClass.Spam),        // 7 cust-a mail-1 spam again
            Event("10.0.0.1", AbuseClass.Spam),             // 8 unrouted (private)
        };
        var routed = events.Select((e, i) => CaseAssignment.Route(i, e, Table)).ToList();

        var groups = CaseAssignment.Group(routed);

        Assert.Collection(
            groups,
            g =>
            {
                Assert.Equal(new CaseKey("cust-a", "mail-1", AbuseClass.Spam), g.Key);
                Assert.Same(Mail, g.Allocation);
                Assert.Equal([0, 7], g.Events.Select(e => e.Index).ToArray());
            },
            g =>
            {
                Assert.Equal(new CaseKey("cust-a", "web-1", AbuseClass.Spam), g.Key);
                Assert.Same(Web, g.Allocation); // the first event's allocation, although event 5 came over IPv6
                Assert.Equal([1, 5], g.Events.Select(e => e.Index).ToArray());
            },
            g =>
            {
                Assert.Equal(new CaseKey("cust-b", "web-1", AbuseClass.Spam), g.Key);
                Assert.Same(OtherCustomer, g.Allocation);
                Assert.Equal([3], g.Events.Select(e => e.Index).ToArray());
            },
            g =>
            {
                Assert.Equal(new CaseKey("cust-a", "web-1", AbuseClass.Phishing), g.Key);
                Assert.Equal([4], g.Events.Select(e => e.Index).ToArray());
            });
    }

    [Fact]
    public void Grouping_only_unrouted_events_yields_no_groups()
    {
        var routed = new[] { Event("8.8.8.8"), Event(null, url: "http://x.example"), Event("192.168.0.1") }
            .Select((e, i) => CaseAssignment.Route(i, e, Table));

        Assert.Empty(CaseAssignment.Group(routed));
        Assert.Empty(CaseAssignment.Group([]));
    }

    [Fact]
    public void The_index_key_combines_resource_and_class_wire_name()
    {
        Assert.Equal("web-1|vulnerable-service", new CaseKey("cust-a", "web-1", AbuseClass.VulnerableService).IndexKey);
        Assert.Equal("mail-1|spam", new CaseKey("cust-a", "mail-1", AbuseClass.Spam).IndexKey);
    }

    private static readonly CaseKey Key = new("cust-a", "web-1", AbuseClass.Spam);
    private static readonly DateTimeOffset OpenedAt = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void NewCaseId_is_deterministic_and_dated()
    {
        var first = CaseAssignment.NewCaseId(Key, "rep-1", 0, OpenedAt);
        var again = CaseAssignment.NewCaseId(new CaseKey("cust-a", "web-1", AbuseClass.Spam), "rep-1", 0, OpenedAt.AddMinutes(5));

        Assert.Equal(first, again);
        Assert.Matches(new Regex("^20261120-[0-9a-f]{12}$"), first);
        // Usable as a table key, a token segment and a path segment.
        Assert.DoesNotContain('.', first);
        Assert.DoesNotContain('/', first);
    }

    [Fact]
    public void NewCaseId_differs_for_every_different_key_report_or_first_event()
    {
        var ids = new[]
        {
            CaseAssignment.NewCaseId(Key, "rep-1", 0, OpenedAt),
            CaseAssignment.NewCaseId(Key with { CustomerId = "cust-b" }, "rep-1", 0, OpenedAt),
            CaseAssignment.NewCaseId(Key with { ResourceId = "web-2" }, "rep-1", 0, OpenedAt),
            CaseAssignment.NewCaseId(Key with { AbuseClass = AbuseClass.Phishing }, "rep-1", 0, OpenedAt),
            CaseAssignment.NewCaseId(Key, "rep-2", 0, OpenedAt),
            CaseAssignment.NewCaseId(Key, "rep-1", 1, OpenedAt),
            CaseAssignment.NewCaseId(Key, "rep-1", 10, OpenedAt),
            CaseAssignment.NewCaseId(Key, "rep-11", 0, OpenedAt),
        };

        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void NewCaseId_dates_the_case_by_the_day_it_opened()
    {
        var id = CaseAssignment.NewCaseId(Key, "rep-1", 0, new DateTimeOffset(2027, 1, 2, 23, 59, 59, TimeSpan.Zero));

        Assert.StartsWith("20270102-", id, StringComparison.Ordinal);
        Assert.EndsWith(CaseAssignment.NewCaseId(Key, "rep-1", 0, OpenedAt)[9..], id, StringComparison.Ordinal);
    }
}
