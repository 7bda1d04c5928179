using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Ownership;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Ownership;
using AbuseDesk.Functions.Storage;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Ops;

/// <summary>
/// Customers as the desk knows them: the allocation table in force says who they are and what they own; cases and
/// allow-flags are counted per page with one key-range query each, not one query per customer.
/// </summary>
public sealed class CustomerDirectory(DeskStorage storage, AllocationStore allocations, TimeProvider clock)
{
    public const int MaxCasesShown = 1000;

    public sealed record Customer(string CustomerId, string ContactEmail, DateOnly CustomerSince, IReadOnlyList<Allocation> Resources);

    public sealed record Counts(int OpenCases, int ActiveAllowFlags);

    public async Task<(List<(Customer Customer, Counts Counts)> Page, string? Continuation)> ListAsync(int limit, string? after, CancellationToken cancellationToken)
    {
        var snapshot = await allocations.SnapshotAsync(cancellationToken);
        var customers = Group(snapshot.Allocations)
            .Where(c => after is null || string.CompareOrdinal(c.CustomerId, after) > 0)
            .OrderBy(c => c.CustomerId, StringComparer.Ordinal)
            .Take(limit + 1)
            .ToList();
        var more = customers.Count > limit;
        customers = customers.Take(limit).ToList();
        if (customers.Count == 0)
        {
            return ([], null);
        }

        var (first, last) = (customers[0].CustomerId, customers[^1].CustomerId);
        var openCases = new Dictionary<string, int>(StringComparer.Ordinal);
        var caseFilter = CaseEntity.StateRows + " and " + TableClient.CreateQueryFilter($"CustomerId ge {first} and CustomerId le {last}");
        await foreach (var row in storage.Cases.QueryAsync<TableEntity>(caseFilter, select: ["CustomerId", "Status"], cancellationToken: cancellationToken))
        {
            if (CaseStatuses.TryParse(row.GetString("Status"), out var status) && status.IsOpen())
            {
                var id = row.GetString("CustomerId");
                openCases[id] = openCases.GetValueOrDefault(id) + 1;
            }
        }

        var flags = new Dictionary<string, int>(StringComparer.Ordinal);
        var flagFilter = TableClient.CreateQueryFilter($"PartitionKey ge {first} and PartitionKey le {last} and ExpiresAt gt {clock.GetUtcNow()}");
        await foreach (var row in storage.AllowFlags.QueryAsync<TableEntity>(flagFilter, select: ["PartitionKey"], cancellationToken: cancellationToken))
        {
            flags[row.PartitionKey] = flags.GetValueOrDefault(row.PartitionKey) + 1;
        }

        var page = customers.Select(c => (c, new Counts(openCases.GetValueOrDefault(c.CustomerId), flags.GetValueOrDefault(c.CustomerId)))).ToList();
        return (page, more ? last : null);
    }

    /// <summary>The customer from the allocations in force (null when they own nothing now) and all their cases, newest first.</summary>
    public async Task<(Customer? Customer, List<CaseEntity> Cases)> DetailAsync(string customerId, CancellationToken cancellationToken)
    {
        var snapshot = await allocations.SnapshotAsync(cancellationToken);
        var customer = Group(snapshot.Allocations.Where(a => a.CustomerId == customerId)).FirstOrDefault();
        var cases = new List<CaseEntity>();
        var filter = CaseEntity.StateRows + " and " + TableClient.CreateQueryFilter($"CustomerId eq {customerId}");
        await foreach (var row in storage.Cases.QueryAsync<CaseEntity>(filter, cancellationToken: cancellationToken))
        {
            cases.Add(row);
            if (cases.Count >= MaxCasesShown)
            {
                break;
            }
        }

        return (customer, cases.OrderByDescending(c => c.OpenedAt).ToList());
    }

    // One customer across many rows: the earliest customerSince is when they became a customer; the contact of
    // their first block (in address order) stands for the customer, each block keeps its own.
    private static IEnumerable<Customer> Group(IEnumerable<Allocation> rows) =>
        rows.GroupBy(a => a.CustomerId, StringComparer.Ordinal)
            .Select(g => new Customer(g.Key, g.First().ContactEmail, g.Min(a => a.CustomerSince), g.ToList()));
}
