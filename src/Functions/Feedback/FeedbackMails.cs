using AbuseDesk.Domain.Feedback;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Storage;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Feedback;

/// <summary>
/// Gathers reporter feedback: each report's part (an item, at most one per report and kind, ever) joins its reporter's
/// open batch, and the batch goes out as one mail when its window ends (<see cref="SendFeedbackDigest"/>). The item, the
/// batch row and — for the first item of a batch — the outbox row of the batch's "window due" message are written in
/// one transaction of the reporter's partition, so a crash leaves either all or nothing, and the
/// redelivered message sends what a crash left unsent.
/// </summary>
public sealed class FeedbackMails(
    DeskStorage storage,
    CaseOutbox caseOutbox,
    IOptions<FeedbackOptions> options,
    TimeProvider clock,
    ILogger<FeedbackMails> logger)
{
    public const string MailKind = "ReporterFeedback";

    /// <summary>Tries at the batch row: a burst of one reporter's reports joins it concurrently, and each join rewrites it.</summary>
    private const int MaxAttempts = 200;

    /// <summary>Where a reporter's feedback goes: only to reporters who asked for it, still hold a key and gave an address.</summary>
    public static string? Recipient(Intake.ReporterEntity? reporter) =>
        reporter is { WantsFeedback: true, Revoked: false, ContactEmail: { } to } && !string.IsNullOrWhiteSpace(to) ? to.Trim() : null;

    public async Task<FeedbackItemEntity?> FindAsync(string reporterId, string reportId, string kind, CancellationToken cancellationToken)
    {
        var found = await storage.Cases.GetEntityIfExistsAsync<FeedbackItemEntity>(
            FeedbackBatchEntity.PartitionFor(reporterId), FeedbackBatchEntity.ItemRow(reportId, kind), cancellationToken: cancellationToken);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>An item stored earlier: makes sure its batch's "window due" message left, in case that delivery died before sending.</summary>
    public async Task EnsureQueuedAsync(string reporterId, FeedbackItemEntity item, CancellationToken cancellationToken)
    {
        var outbox = await storage.Cases.GetEntityIfExistsAsync<OutboxEntity>(
            FeedbackBatchEntity.PartitionFor(reporterId), FeedbackBatchEntity.WindowOutboxRow(item.Batch), cancellationToken: cancellationToken);
        if (outbox.HasValue && !outbox.Value!.Sent)
        {
            await caseOutbox.SendAsync(outbox.Value, cancellationToken);
        }
    }

    /// <summary>Adds a report's feedback to its reporter's open batch (opening one if need be); false if it was there already.</summary>
    public async Task<bool> GatherAsync(string reporterId, string kind, FeedbackSection section, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var partition = FeedbackBatchEntity.PartitionFor(reporterId);
        for (var attempt = 1; ; attempt++)
        {
            var found = await storage.Cases.GetEntityIfExistsAsync<FeedbackBatchEntity>(partition, FeedbackBatchEntity.Row, cancellationToken: cancellationToken);
            var batch = found.HasValue ? found.Value! : null;
            var now = clock.GetUtcNow();
            var join = FeedbackWindows.Join(batch?.State(), now, settings.Window, settings.MaxReportsPerMail);
            var item = new FeedbackItemEntity
            {
                PartitionKey = partition,
                RowKey = FeedbackBatchEntity.ItemRow(section.Report.ReportId, kind),
                ReportId = section.Report.ReportId,
                Kind = kind,
                Batch = join.Batch,
                At = now,
                ReceivedAt = section.Report.ReceivedAt,
                FileName = section.Report.FileName,
                Headline = section.Headline,
                Lead = section.Lead,
                Details = Json.Serialize(section.Details),
            };
            var row = batch ?? new FeedbackBatchEntity { PartitionKey = partition, RowKey = FeedbackBatchEntity.Row };
            var etag = row.ETag;
            row.Open = join.Batch;
            row.DueAt = join.DueAt;
            row.Count = join.Opens ? 1 : row.Count + 1;
            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.Add, item),
                batch is null ? new(TableTransactionActionType.Add, row) : new(TableTransactionActionType.UpdateReplace, row, etag),
            };
            var window = join.Opens
                ? new OutboxEntity
                {
                    PartitionKey = partition,
                    RowKey = FeedbackBatchEntity.WindowOutboxRow(join.Batch),
                    Queue = DeskStorage.ReporterFeedbackQueue,
                    Body = ReporterFeedbackMessage.ForWindow(reporterId, join.Batch, join.DueAt),
                }
                : null;
            if (window is not null)
            {
                actions.Add(new(TableTransactionActionType.Add, window));
            }

            try
            {
                var responses = (await storage.Cases.SubmitTransactionAsync(actions, cancellationToken)).Value;
                if (window is not null)
                {
                    window.ETag = responses[^1].Headers.ETag ?? Azure.ETag.All;
                    await caseOutbox.SendAsync(window, cancellationToken);
                }

                return true;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
            {
                // Either this item is in already (a redelivery, or a concurrent copy), or another item or a closing
                // mail moved the batch row: look again.
                if (await FindAsync(reporterId, section.Report.ReportId, kind, cancellationToken) is { } existing)
                {
                    await EnsureQueuedAsync(reporterId, existing, cancellationToken);
                    return false;
                }

                if (attempt >= MaxAttempts)
                {
                    throw;
                }

                logger.LogDebug("Reporter {ReporterId}: the feedback batch moved while joining it (attempt {Attempt})", reporterId, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20) * Math.Min(attempt, 10)), cancellationToken);
            }
        }
    }
}
