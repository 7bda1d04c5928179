using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Functions.Storage;
using AbuseDesk.Functions.Telemetry;
using Azure;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Cases;

/// <summary>An allow-flag row (table allowflags: PK = customerId, RK = flag id).</summary>
public sealed class AllowFlagEntity : Entity
{
    public string? ResourceId { get; set; }

    /// <summary>Comma-separated abuse classes; empty means every class.</summary>
    public string? Classes { get; set; }
    public string Reason { get; set; } = "";
    public string SetBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }

    public AllowFlag ToFlag() => new(
        PartitionKey,
        string.IsNullOrEmpty(ResourceId) ? null : ResourceId,
        string.IsNullOrEmpty(Classes) ? null : Classes.Split(',').Select(c => AbuseClasses.TryParse(c, out var ac) ? ac : AbuseClass.Other).ToArray(),
        Reason,
        SetBy,
        ExpiresAt);
}

/// <summary>What the desk remembers per customer (table customers: PK = "customer", RK = customerId).</summary>
public sealed class CustomerEntity : Entity
{
    public const string Partition = "customer";

    public DateTimeOffset? LastManualReinstatement { get; set; }
}

/// <summary>One automated suspension (table suspensionlog: PK = UTC hour "yyyyMMddHH", RK = "{caseId}|{version}").</summary>
public sealed class SuspensionLogEntity : Entity
{
    public DateTimeOffset At { get; set; }
}

/// <summary>The circuit breaker (table desk: PK = "breaker", RK = "state").</summary>
public sealed class BreakerEntity : Entity
{
    public bool Open { get; set; }
    public DateTimeOffset? OpenedAt { get; set; }
    public string? Reason { get; set; }
    public DateTimeOffset? ResumedAt { get; set; }
    public string? ResumedBy { get; set; }
}

/// <summary>
/// The facts the safeties decide on, and the writes that change them. Every write is an idempotent upsert
/// keyed by what caused it, so it can be made before the case commits (a retried decision rewrites the same row).
/// </summary>
public sealed class SafetyStore(DeskStorage storage)
{
    private TableClient AllowFlags => storage.AllowFlags;
    private TableClient Customers => storage.Customers;
    private TableClient SuspensionLog => storage.SuspensionLog;
    private TableClient Desk => storage.Desk;

    public async Task<SafetyFacts> GatherAsync(CaseState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var flags = await FlagsAsync(state.CustomerId, cancellationToken);
        var customer = await Customers.GetEntityIfExistsAsync<CustomerEntity>(CustomerEntity.Partition, state.CustomerId, cancellationToken: cancellationToken);
        var breaker = await BreakerAsync(cancellationToken);
        // Ops resuming the breaker starts the count afresh: otherwise the same hour would trip it again at once.
        var since = breaker?.ResumedAt is { } resumed && resumed > now - TimeSpan.FromHours(1) ? resumed : now - TimeSpan.FromHours(1);
        var recent = await AutomatedSuspensionsSinceAsync(since, now, cancellationToken);
        return new SafetyFacts(flags.Select(f => f.ToFlag()).ToList(), customer.HasValue ? customer.Value!.LastManualReinstatement : null, recent, breaker?.Open ?? false);
    }

    public async Task<List<AllowFlagEntity>> FlagsAsync(string customerId, CancellationToken cancellationToken)
    {
        var flags = new List<AllowFlagEntity>();
        await foreach (var flag in AllowFlags.QueryAsync<AllowFlagEntity>(f => f.PartitionKey == customerId, cancellationToken: cancellationToken))
        {
            flags.Add(flag);
        }

        return flags;
    }

    public async Task<AllowFlagEntity> AddFlagAsync(AllowFlagEntity flag, CancellationToken cancellationToken)
    {
        await AllowFlags.AddEntityAsync(flag, cancellationToken);
        return flag;
    }

    public async Task<bool> RemoveFlagAsync(string customerId, string flagId, CancellationToken cancellationToken)
    {
        try
        {
            await AllowFlags.DeleteEntityAsync(customerId, flagId, ETag.All, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    public async Task RecordReinstatementAsync(string customerId, DateTimeOffset at, CancellationToken cancellationToken) =>
        await Customers.UpsertEntityAsync(new CustomerEntity { PartitionKey = CustomerEntity.Partition, RowKey = customerId, LastManualReinstatement = at }, TableUpdateMode.Merge, cancellationToken);

    public async Task CountAutomatedSuspensionAsync(string caseId, int version, DateTimeOffset at, CancellationToken cancellationToken) =>
        await SuspensionLog.UpsertEntityAsync(new SuspensionLogEntity { PartitionKey = Hour(at), RowKey = $"{caseId}|{version}", At = at }, TableUpdateMode.Replace, cancellationToken);

    public async Task<int> AutomatedSuspensionsSinceAsync(DateTimeOffset since, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var hour in new[] { Hour(since), Hour(now) }.Distinct())
        {
            await foreach (var _ in SuspensionLog.QueryAsync<SuspensionLogEntity>(s => s.PartitionKey == hour && s.At >= since, select: ["RowKey"], cancellationToken: cancellationToken))
            {
                count++;
            }
        }

        return count;
    }

    public async Task<BreakerEntity?> BreakerAsync(CancellationToken cancellationToken)
    {
        var row = await Desk.GetEntityIfExistsAsync<BreakerEntity>("breaker", "state", cancellationToken: cancellationToken);
        DeskMetrics.BreakerObserved(row.HasValue && row.Value!.Open);
        return row.HasValue ? row.Value : null;
    }

    public async Task TripBreakerAsync(string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var current = await BreakerAsync(cancellationToken);
        if (current is { Open: true })
        {
            return;
        }

        await Desk.UpsertEntityAsync(new BreakerEntity { PartitionKey = "breaker", RowKey = "state", Open = true, OpenedAt = at, Reason = reason }, TableUpdateMode.Replace, cancellationToken);
        DeskMetrics.BreakerObserved(true);
    }

    public async Task ResumeBreakerAsync(string actor, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var current = await BreakerAsync(cancellationToken) ?? new BreakerEntity { PartitionKey = "breaker", RowKey = "state" };
        current.Open = false;
        current.ResumedAt = at;
        current.ResumedBy = actor;
        await Desk.UpsertEntityAsync(current, TableUpdateMode.Replace, cancellationToken);
        DeskMetrics.BreakerObserved(false);
    }

    private static string Hour(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture);
}
