using AbuseDesk.Domain.Notifications;
using AbuseDesk.Domain.Ownership;
using AbuseDesk.Functions.Storage;
using Azure;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Ownership;

public sealed class AllocationRow : Entity
{
    public string Cidr { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public string ResourceId { get; set; } = "";
    public string ContactEmail { get; set; } = "";
    public DateTimeOffset CustomerSince { get; set; }
    public string? Language { get; set; }
}

/// <summary>Which generation of allocation rows is in force (PK = "current", RK = "pointer").</summary>
public sealed class AllocationPointer : Entity
{
    public string Generation { get; set; } = "";
    public int Count { get; set; }
    public DateTimeOffset ReplacedAt { get; set; }
    public string? ImportedBy { get; set; }
    public string? ImportReason { get; set; }
}

/// <summary>The allocations in force and the pointer row that names them (null before the first import).</summary>
public sealed record AllocationSnapshot(AllocationPointer? Pointer, IReadOnlyList<Allocation> Allocations);

/// <summary>
/// The allocation table in storage. An import writes a whole new generation, then flips one pointer row, so
/// readers see either the old table or the new one, never half of each. Readers keep the table in memory and
/// reload only when the pointer names another generation (one point read per use).
/// </summary>
public sealed class AllocationStore(DeskStorage storage, TimeProvider clock, ILogger<AllocationStore> logger)
{
    private const string PointerPartition = "current";
    private const string PointerRow = "pointer";
    private readonly SemaphoreSlim _reload = new(1, 1);
    // One reference, so a reader never sees one generation's table with another's list.
    private volatile Loaded _cached = new("", AllocationTable.Empty, []);

    public async Task<int> ReplaceAsync(IReadOnlyList<Allocation> allocations, CancellationToken cancellationToken) =>
        await ReplaceAsync(allocations, null, null, cancellationToken);

    public async Task<int> ReplaceAsync(IReadOnlyList<Allocation> allocations, string? importedBy, string? reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var generation = $"g{now.UtcTicks:D20}";
        var rows = allocations.Select((a, i) => new AllocationRow
        {
            PartitionKey = generation,
            RowKey = i.ToString("D7"),
            Cidr = a.Prefix.ToString(),
            CustomerId = a.CustomerId,
            ResourceId = a.ResourceId,
            ContactEmail = a.ContactEmail,
            CustomerSince = new DateTimeOffset(a.CustomerSince.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            Language = a.Language,
        });
        foreach (var batch in rows.Chunk(100))
        {
            await storage.Allocations.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), cancellationToken);
        }

        var previous = await PointerAsync(cancellationToken);
        await storage.Allocations.UpsertEntityAsync(new AllocationPointer
        {
            PartitionKey = PointerPartition,
            RowKey = PointerRow,
            Generation = generation,
            Count = allocations.Count,
            ReplacedAt = now,
            ImportedBy = importedBy,
            ImportReason = reason,
        }, TableUpdateMode.Replace, cancellationToken);

        if (previous is not null)
        {
            await DeleteGenerationAsync(previous.Generation, cancellationToken);
        }

        return allocations.Count;
    }

    public async Task<bool> HasAllocationsAsync(CancellationToken cancellationToken) => await PointerAsync(cancellationToken) is not null;

    public async Task<AllocationTable> CurrentAsync(CancellationToken cancellationToken)
    {
        var pointer = await PointerAsync(cancellationToken);
        return pointer is null ? AllocationTable.Empty : (await LoadAsync(pointer, cancellationToken)).Table;
    }

    /// <summary>The allocations in force as a list, for ops views and the import dry-run (served from the same cache).</summary>
    public async Task<AllocationSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        var pointer = await PointerAsync(cancellationToken);
        return pointer is null ? new AllocationSnapshot(null, []) : new AllocationSnapshot(pointer, (await LoadAsync(pointer, cancellationToken)).List);
    }

    private sealed record Loaded(string Generation, AllocationTable Table, IReadOnlyList<Allocation> List);

    private async Task<Loaded> LoadAsync(AllocationPointer pointer, CancellationToken cancellationToken)
    {
        var cached = _cached;
        if (cached.Generation == pointer.Generation)
        {
            return cached;
        }

        await _reload.WaitAsync(cancellationToken);
        try
        {
            if (_cached.Generation != pointer.Generation)
            {
                var allocations = new List<Allocation>(pointer.Count);
                await foreach (var row in storage.Allocations.QueryAsync<AllocationRow>(r => r.PartitionKey == pointer.Generation, maxPerPage: 1000, cancellationToken: cancellationToken))
                {
                    if (IpPrefix.TryParse(row.Cidr, out var prefix, out _))
                    {
                        allocations.Add(new Allocation(prefix, row.CustomerId, row.ResourceId, row.ContactEmail, DateOnly.FromDateTime(row.CustomerSince.UtcDateTime), MailLanguages.Normalize(row.Language)));
                    }
                }

                _cached = new Loaded(pointer.Generation, new AllocationTable(allocations), allocations);
                logger.LogInformation("Loaded {Count} allocations (generation {Generation})", allocations.Count, pointer.Generation);
            }

            return _cached;
        }
        finally
        {
            _reload.Release();
        }
    }

    private async Task<AllocationPointer?> PointerAsync(CancellationToken cancellationToken)
    {
        var response = await storage.Allocations.GetEntityIfExistsAsync<AllocationPointer>(PointerPartition, PointerRow, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    private async Task DeleteGenerationAsync(string generation, CancellationToken cancellationToken)
    {
        try
        {
            var keys = new List<TableTransactionAction>();
            await foreach (var row in storage.Allocations.QueryAsync<TableEntity>(r => r.PartitionKey == generation, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                keys.Add(new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All));
            }

            foreach (var batch in keys.Chunk(100))
            {
                await storage.Allocations.SubmitTransactionAsync(batch, cancellationToken);
            }
        }
        catch (RequestFailedException ex)
        {
            // Old rows are unreachable once the pointer moved; leaving some behind is harmless.
            logger.LogWarning(ex, "Could not delete old allocation generation {Generation}", generation);
        }
    }
}
