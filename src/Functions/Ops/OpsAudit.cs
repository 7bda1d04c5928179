using System.Globalization;
using System.Security.Cryptography;
using AbuseDesk.Functions.Storage;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Ops;

/// <summary>One ops action outside a case (table opsaudit: PK = "audit", RK = inverted ticks, so newest first).</summary>
public sealed class OpsAuditEntity : Entity
{
    public const string Partition = "audit";

    public DateTimeOffset At { get; set; }
    public string Action { get; set; } = "";
    public string Target { get; set; } = "";
    public string Actor { get; set; } = "";
    public string? Reason { get; set; }
    public string? Detail { get; set; }
}

/// <summary>
/// The desk's record of ops actions that have no case history to go into: allocation imports, reporter changes,
/// allow-flag removals, reparses, poison requeues. Case actions stay in the case's own history.
/// </summary>
public sealed class OpsAudit(DeskStorage storage, TimeProvider clock)
{
    private readonly TableClient _table = storage.Tables.GetTableClient("opsaudit");
    private volatile bool _exists;

    public async Task RecordAsync(string action, string target, OpsIntent intent, string? detail, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken);
        var now = clock.GetUtcNow();
        await _table.AddEntityAsync(new OpsAuditEntity
        {
            PartitionKey = OpsAuditEntity.Partition,
            RowKey = (DateTimeOffset.MaxValue.UtcTicks - now.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)),
            At = now,
            Action = action,
            Target = target,
            Actor = intent.Actor,
            Reason = intent.Reason,
            Detail = detail,
        }, cancellationToken);
    }

    public async Task<(List<OpsAuditEntity> Entries, string? Continuation)> ListAsync(string? target, int limit, string? continuation, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken);
        var filter = target is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {OpsAuditEntity.Partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {OpsAuditEntity.Partition} and Target eq {target}");
        await foreach (var page in _table.QueryAsync<OpsAuditEntity>(filter, maxPerPage: limit, cancellationToken: cancellationToken).AsPages(continuation, limit))
        {
            return (page.Values.ToList(), page.ContinuationToken);
        }

        return ([], null);
    }

    // The table is the Ops area's own, created on first use rather than in the shared start-up list.
    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (!_exists)
        {
            await _table.CreateIfNotExistsAsync(cancellationToken);
            _exists = true;
        }
    }
}
