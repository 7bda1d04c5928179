using AbuseDesk.Functions.Notifications;
using AbuseDesk.Functions.Storage;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Cases;

/// <summary>
/// The outbox of a partition (a case, a customer's digests, a reporter's feedback): messages written in the same
/// transaction as the change that owes them, then sent. A row is <c>Sent = false</c> from its commit until its
/// message is on its queue, then <c>Sent = true</c>. Whoever runs the change again after a crash (the engine
/// retrying a case step, a redelivered queue message) flushes what is still unsent; receivers are idempotent, so a
/// second copy is harmless. A mail claimed in its commit (sent at once, docs/email.md) is its own outbox entry
/// while it is pending and claimed.
/// </summary>
public sealed class CaseOutbox(DeskStorage storage, SendEmail mail, TimeProvider clock)
{
    /// <summary>Sends one outbox message and marks it sent.</summary>
    public Task SendAsync(OutboxEntity item, CancellationToken cancellationToken) => SendAllAsync([item], cancellationToken);

    /// <summary>
    /// Sends the outbox messages of one partition, then marks them all sent in one transaction. Mails the commit
    /// claimed (<paramref name="claimed"/>) go out over SMTP here and are marked sent in the same closing
    /// transaction; one the relay refused goes to the mail queue, to surface when its claim ends.
    /// </summary>
    public async Task SendAllAsync(IReadOnlyList<OutboxEntity> items, CancellationToken cancellationToken, IReadOnlyList<MailEntity>? claimed = null)
    {
        foreach (var item in items)
        {
            await storage.Queue(item.Queue).SendMessageAsync(item.Body, cancellationToken);
            item.Sent = true;
        }

        var marks = items.Select(i => new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(i.PartitionKey, i.RowKey) { ["Sent"] = true }, i.ETag)).ToList();
        foreach (var claimedMail in claimed ?? [])
        {
            if (await mail.SendClaimedAsync(claimedMail.PartitionKey, claimedMail, cancellationToken))
            {
                marks.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(claimedMail.PartitionKey, claimedMail.RowKey)
                {
                    [nameof(MailEntity.Status)] = claimedMail.Status,
                    [nameof(MailEntity.SentAt)] = claimedMail.SentAt,
                }, claimedMail.ETag));
            }
            else
            {
                // The queue's copy would only find the claim and wait for it: let it surface when the claim ends.
                await QueueClaimedMailAsync(claimedMail, cancellationToken);
            }
        }

        if (marks.Count == 0)
        {
            return;
        }

        try
        {
            await storage.Cases.SubmitTransactionAsync(marks, cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 412 or 404)
        {
            // Someone else sent one of them at the same time; extra messages are absorbed by the receivers.
        }
    }

    /// <summary>
    /// Sends every unsent outbox message of the partition and hands its claimed pending mails to the mail queue
    /// (their claimer may have died; a mail sent meanwhile is skipped there). One partition query for both.
    /// </summary>
    public async Task FlushAsync(string partition, CancellationToken cancellationToken)
    {
        var (outboxFrom, outboxTo) = (OutboxEntity.Prefix, KeyRange.After(OutboxEntity.Prefix));
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}") + " and (" +
            TableClient.CreateQueryFilter($"RowKey ge {outboxFrom} and RowKey lt {outboxTo} and Sent eq {false}") + " or " +
            PendingMails + " and " + TableClient.CreateQueryFilter($"ClaimedUntil gt {DateTimeOffset.UnixEpoch}") + ")";
        await foreach (var row in storage.Cases.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (row.RowKey.StartsWith(MailEntity.Prefix, StringComparison.Ordinal))
            {
                await QueueClaimedMailAsync(new MailEntity { PartitionKey = row.PartitionKey, RowKey = row.RowKey, ClaimedUntil = row.GetDateTimeOffset(nameof(MailEntity.ClaimedUntil)) }, cancellationToken);
                continue;
            }

            await SendAsync(new OutboxEntity
            {
                PartitionKey = row.PartitionKey,
                RowKey = row.RowKey,
                Queue = row.GetString(nameof(OutboxEntity.Queue)) ?? "",
                Body = row.GetString(nameof(OutboxEntity.Body)) ?? "",
                ETag = row.ETag,
            }, cancellationToken);
        }
    }

    /// <summary>Mail rows not yet sent nor given up on; with a ClaimedUntil clause, the claimed ones among them.</summary>
    private static readonly string PendingMails =
        TableClient.CreateQueryFilter($"RowKey ge {MailEntity.Prefix} and RowKey lt {KeyRange.After(MailEntity.Prefix)} and Status eq {SendEmail.Pending}");

    private async Task QueueClaimedMailAsync(MailEntity claimedMail, CancellationToken cancellationToken)
    {
        var claimEnds = (claimedMail.ClaimedUntil ?? clock.GetUtcNow()) - clock.GetUtcNow();
        await storage.Queue(DeskStorage.EmailOutboxQueue).SendMessageAsync(
            Json.Serialize(new EmailRequest(claimedMail.PartitionKey, claimedMail.RowKey)),
            visibilityTimeout: QueueDelay.For(claimEnds + TimeSpan.FromSeconds(1)), cancellationToken: cancellationToken);
    }
}
