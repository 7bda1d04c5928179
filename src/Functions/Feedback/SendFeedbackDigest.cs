using AbuseDesk.Domain.Feedback;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Intake;
using AbuseDesk.Functions.Notifications;
using AbuseDesk.Functions.Storage;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Feedback;

/// <summary>
/// reporter-feedback "window-due": a reporter's batch of gathered feedback is due. Composes one mail listing every
/// item of the batch and stores it — mail row, its feedback-outbox row and the batch row marked mailed, in one
/// transaction guarded by the batch row's ETag, so an item that joined meanwhile makes it read again instead of being
/// left out, and no item can join after. The mail is keyed by the batch (one Message-ID, "reporter.{id}.{batch}"): a
/// redelivery finds it stored and only makes sure its message left. The mail leaves in the feedback lane, with the
/// rate the customer notices leave (<see cref="SendEmail"/>).
/// </summary>
public sealed class SendFeedbackDigest(
    DeskStorage storage,
    CaseOutbox caseOutbox,
    Reporters reporters,
    TimeProvider clock,
    ILogger<SendFeedbackDigest> logger)
{
    private const int MaxAttempts = 50;

    public async Task RunAsync(string reporterId, int batch, DateTimeOffset? dueAt, string message, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (dueAt is { } due && due > now)
        {
            // The outbox sends the message at once; it waits out its window hidden in the queue.
            await storage.Queue(DeskStorage.ReporterFeedbackQueue).SendMessageAsync(message, visibilityTimeout: QueueDelay.For(due - now), cancellationToken: cancellationToken);
            return;
        }

        var partition = FeedbackBatchEntity.PartitionFor(reporterId);
        var mailRow = FeedbackBatchEntity.MailRow(batch);
        for (var attempt = 1; ; attempt++)
        {
            if ((await storage.Cases.GetEntityIfExistsAsync<MailEntity>(partition, mailRow, select: ["RowKey"], cancellationToken: cancellationToken)).HasValue)
            {
                await SendIfUnsentAsync(reporterId, batch, cancellationToken);
                return;
            }

            var found = await storage.Cases.GetEntityIfExistsAsync<FeedbackBatchEntity>(partition, FeedbackBatchEntity.Row, cancellationToken: cancellationToken);
            if (!found.HasValue || found.Value!.Open < batch || found.Value.Mailed >= batch)
            {
                // Never opened (a stray message), or closed without a mail (the reporter stopped wanting feedback).
                return;
            }

            var row = found.Value;
            var items = new List<FeedbackItemEntity>();
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {FeedbackItemEntity.Prefix} and RowKey lt {KeyRange.After(FeedbackItemEntity.Prefix)} and Batch eq {batch}");
            await foreach (var item in storage.Cases.QueryAsync<FeedbackItemEntity>(filter, cancellationToken: cancellationToken))
            {
                items.Add(item);
            }

            var etag = row.ETag;
            row.Mailed = Math.Max(row.Mailed, batch);
            // Asked again now: a reporter may have turned feedback off since the items were gathered.
            var to = FeedbackMails.Recipient(await reporters.FindAsync(reporterId, cancellationToken));
            var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, row, etag) };
            OutboxEntity? outbox = null;
            if (to is not null && items.Count > 0)
            {
                var content = ReporterMail.Compose(items.OrderBy(i => i.At).ThenBy(i => i.RowKey, StringComparer.Ordinal).Select(i => i.Section()).ToList());
                var mail = new MailEntity
                {
                    PartitionKey = partition,
                    RowKey = mailRow,
                    Kind = FeedbackMails.MailKind,
                    To = to,
                    Subject = content.Subject,
                    TextBody = content.Text,
                    HtmlBody = content.Html,
                    MessageId = $"reporter.{reporterId}.{batch}",
                };
                outbox = new OutboxEntity
                {
                    PartitionKey = partition,
                    RowKey = FeedbackBatchEntity.MailOutboxRow(batch),
                    Queue = DeskStorage.FeedbackOutboxQueue,
                    Body = Json.Serialize(new EmailRequest(partition, mailRow)),
                };
                actions.Add(new(TableTransactionActionType.Add, mail));
                actions.Add(new(TableTransactionActionType.Add, outbox));
            }

            try
            {
                var responses = (await storage.Cases.SubmitTransactionAsync(actions, cancellationToken)).Value;
                if (outbox is not null)
                {
                    outbox.ETag = responses[^1].Headers.ETag ?? Azure.ETag.All;
                    await caseOutbox.SendAsync(outbox, cancellationToken);
                    logger.LogInformation("Reporter {ReporterId}: feedback on {Items} item(s) gathered into one mail (batch {Batch})", reporterId, items.Count, batch);
                }

                return;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // An item joined, or another copy stored the mail: read again.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20) * Math.Min(attempt, 10)), cancellationToken);
            }
        }
    }

    private async Task SendIfUnsentAsync(string reporterId, int batch, CancellationToken cancellationToken)
    {
        var outbox = await storage.Cases.GetEntityIfExistsAsync<OutboxEntity>(
            FeedbackBatchEntity.PartitionFor(reporterId), FeedbackBatchEntity.MailOutboxRow(batch), cancellationToken: cancellationToken);
        if (outbox.HasValue && !outbox.Value!.Sent)
        {
            await caseOutbox.SendAsync(outbox.Value, cancellationToken);
        }
    }
}
