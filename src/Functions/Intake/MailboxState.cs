using AbuseDesk.Functions.Storage;
using Azure;

namespace AbuseDesk.Functions.Intake;

/// <summary>How the last reads of the abuse mailbox went (desk table, PK = "mailbox", RK = "status"), for ops.</summary>
public sealed class MailboxStatusEntity : Entity
{
    public const string Partition = "mailbox";
    public const string Row = "status";

    public DateTimeOffset? LastRunAt { get; set; }
    public DateTimeOffset? LastSuccessAt { get; set; }

    /// <summary>Since when every read failed; null while reads succeed.</summary>
    public DateTimeOffset? FailingSince { get; set; }

    public string? LastError { get; set; }
    public int ConsecutiveFailures { get; set; }

    /// <summary>When an outage was last logged as an error: at its start, then hourly.</summary>
    public DateTimeOffset? LastAlertAt { get; set; }

    /// <summary>Messages still in the folder after the last successful read (a backlog goes over several runs).</summary>
    public int Backlog { get; set; }

    public long Stored { get; set; }
    public long Refused { get; set; }
}

/// <summary>
/// A message the desk would not take in (desk table, PK = "mailbox-refused", RK = newest first), moved to the
/// mailbox's refused folder. The message itself stays there for ops; moved back to the inbox it is read again.
/// Sender and subject are attacker-controlled: bounded here, escaped wherever they are shown.
/// </summary>
public sealed class MailboxRefusalEntity : Entity
{
    public const string Partition = "mailbox-refused";

    public DateTimeOffset RefusedAt { get; set; }
    public string? From { get; set; }
    public string? Subject { get; set; }
    public string? MessageId { get; set; }
    public long Size { get; set; }
    public string Reason { get; set; } = "";
    public string Folder { get; set; } = "";
}

/// <summary>What ops see of the mailbox: its status row and the refused messages.</summary>
public sealed class MailboxState(DeskStorage storage, TimeProvider clock)
{
    public async Task<MailboxStatusEntity?> StatusAsync(CancellationToken cancellationToken)
    {
        var row = await storage.Desk.GetEntityIfExistsAsync<MailboxStatusEntity>(MailboxStatusEntity.Partition, MailboxStatusEntity.Row, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    public async Task SucceededAsync(int stored, int refused, int backlog, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var status = await StatusAsync(cancellationToken) ?? New();
        status.LastRunAt = now;
        status.LastSuccessAt = now;
        status.FailingSince = null;
        status.LastError = null;
        status.ConsecutiveFailures = 0;
        status.LastAlertAt = null;
        status.Backlog = backlog;
        status.Stored += stored;
        status.Refused += refused;
        await storage.Desk.UpsertEntityAsync(status, Azure.Data.Tables.TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>Records a failed read; <c>Alert</c> when the outage is new or was last alerted on an hour ago.</summary>
    public async Task<(MailboxStatusEntity Status, bool Alert)> FailedAsync(string error, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var status = await StatusAsync(cancellationToken) ?? New();
        status.LastRunAt = now;
        status.FailingSince ??= now;
        status.LastError = error.Length <= 500 ? error : error[..500];
        status.ConsecutiveFailures++;
        var alert = status.ConsecutiveFailures == 1 || status.LastAlertAt is not { } last || now - last >= TimeSpan.FromHours(1);
        if (alert)
        {
            status.LastAlertAt = now;
        }

        await storage.Desk.UpsertEntityAsync(status, Azure.Data.Tables.TableUpdateMode.Replace, cancellationToken);
        return (status, alert);
    }

    public async Task RefusedAsync(MailboxRefusalEntity refusal, CancellationToken cancellationToken)
    {
        refusal.PartitionKey = MailboxRefusalEntity.Partition;
        refusal.RefusedAt = clock.GetUtcNow();
        refusal.RowKey = $"{DateTimeOffset.MaxValue.UtcTicks - refusal.RefusedAt.UtcTicks:D19}|{Guid.NewGuid():N}";
        await storage.Desk.UpsertEntityAsync(refusal, cancellationToken: cancellationToken);
    }

    /// <summary>The newest refusals first, at most <paramref name="limit"/>.</summary>
    public async Task<List<MailboxRefusalEntity>> RefusalsAsync(int limit, CancellationToken cancellationToken)
    {
        var list = new List<MailboxRefusalEntity>();
        await foreach (var row in storage.Desk.QueryAsync<MailboxRefusalEntity>(r => r.PartitionKey == MailboxRefusalEntity.Partition, maxPerPage: limit, cancellationToken: cancellationToken))
        {
            list.Add(row);
            if (list.Count >= limit)
            {
                break;
            }
        }

        return list;
    }

    private static MailboxStatusEntity New() => new() { PartitionKey = MailboxStatusEntity.Partition, RowKey = MailboxStatusEntity.Row, ETag = ETag.All };
}
