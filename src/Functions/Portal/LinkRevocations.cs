using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Storage;
using Azure;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Portal;

/// <summary>
/// The case's link mark (PK = caseId, RK = "links|{caseId}"): every portal link issued at or before
/// <see cref="RevokedBefore"/> is withdrawn. Kept beside the case row rather than on it, so the state machine's
/// row stays about the case and a revocation never competes with the playbook for the same fields.
/// </summary>
public sealed class CaseLinksEntity : Entity
{
    public const string Row = "links";

    public DateTimeOffset? RevokedBefore { get; set; }
    public string? RevokedBy { get; set; }
    public string? Reason { get; set; }
}

public sealed record Revocation(DateTimeOffset RevokedBefore, string Actor, string? Reason);

/// <summary>
/// Withdraws a case's portal links and answers whether one is withdrawn. A revocation writes the mark, one
/// history line (who and why, like every ops action) and the case row's sequence in one entity-group
/// transaction guarded by the case row's ETag, so it can neither lose a race with a workflow commit nor reuse
/// a history row key.
/// </summary>
public sealed class LinkRevocations(DeskStorage storage, TimeProvider clock, ILogger<LinkRevocations> logger)
{
    private const int MaxAttempts = 20;

    public async Task<DateTimeOffset?> RevokedBeforeAsync(string caseId, CancellationToken cancellationToken)
    {
        var row = await storage.Cases.GetEntityIfExistsAsync<CaseLinksEntity>(caseId, CaseLinksEntity.Row, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value!.RevokedBefore : null;
    }

    /// <returns>The new mark, or null when there is no such case.</returns>
    public async Task<Revocation?> RevokeAsync(string caseId, string actor, string? reason, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var found = await storage.Cases.GetEntityIfExistsAsync<CaseEntity>(caseId, CaseEntity.Row, cancellationToken: cancellationToken);
            if (!found.HasValue)
            {
                return null;
            }

            var row = found.Value!;
            var now = clock.GetUtcNow();
            var sequence = row.Sequence + 1;
            var detail = reason is null ? "every earlier link withdrawn" : $"every earlier link withdrawn: {reason}";
            List<TableTransactionAction> actions =
            [
                // Merge, not replace: only the sequence moves; the ETag makes a concurrent commit decide again.
                new(TableTransactionActionType.UpdateMerge, new TableEntity(caseId, CaseEntity.Row) { [nameof(CaseEntity.Sequence)] = sequence }, row.ETag),
                new(TableTransactionActionType.UpsertReplace, new CaseLinksEntity
                {
                    PartitionKey = caseId,
                    RowKey = CaseLinksEntity.Row,
                    RevokedBefore = now,
                    RevokedBy = actor,
                    Reason = reason,
                }),
                new(TableTransactionActionType.Add, new HistoryEntity
                {
                    PartitionKey = caseId,
                    RowKey = RowKeys.Numbered(HistoryEntity.Prefix, sequence),
                    At = now,
                    What = "links-revoked",
                    Actor = actor,
                    Rule = "ops:revoke-links",
                    Detail = detail,
                    Version = row.Version,
                }),
            ];

            try
            {
                await storage.Cases.SubmitTransactionAsync(actions, cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                await Task.Delay(Random.Shared.Next(5, 10 * attempt), cancellationToken);
                continue;
            }

            logger.LogWarning("Case {CaseId}: portal links issued up to {RevokedBefore:O} revoked by {Actor}: {Reason}", caseId, now, actor, reason);
            return new Revocation(now, actor, reason);
        }
    }
}
