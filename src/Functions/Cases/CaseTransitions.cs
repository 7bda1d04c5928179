using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Notifications;
using AbuseDesk.Functions.Notifications;
using AbuseDesk.Functions.Portal;
using AbuseDesk.Functions.Storage;
using Azure;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Cases;

public sealed class CaseNotFoundException(string caseId) : Exception($"case '{caseId}' does not exist");

/// <summary>
/// Applies one input to one case: read the state row, let the pure state machine decide, then commit the new
/// state, its history, the mails it owes and the timers it arms in ONE entity-group transaction guarded by
/// the row's ETag (a lost race re-reads and decides again). Messages leave through the case's outbox only
/// after the commit, so a crash can delay them but never lose or invent them.
/// </summary>
public sealed class CaseTransitions(DeskStorage storage, PlaybookSet playbooks, CaseLinks links, TimeProvider clock, ILogger<CaseTransitions> logger)
{
    private const int MaxAttempts = 20;

    public async Task<CaseDecision> ApplyAsync(string caseId, CaseInput input, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var row = await LoadAsync(caseId, cancellationToken) ?? throw new CaseNotFoundException(caseId);
            var decision = CaseStateMachine.Decide(row.ToState(), input, playbooks, clock.GetUtcNow());
            if (decision is not Transition transition)
            {
                await FlushOutboxAsync(caseId, cancellationToken);
                return decision;
            }

            try
            {
                await CommitAsync(row, transition, cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                logger.LogDebug("Case {CaseId} changed under us (attempt {Attempt}); deciding again", caseId, attempt);
                await Task.Delay(Random.Shared.Next(5, 10 * attempt), cancellationToken);
                continue;
            }

            logger.LogInformation("Case {CaseId}: {Input} → {Status} (v{Version})", caseId, input.GetType().Name, transition.State.Status.ToWireName(), transition.State.Version);
            await FlushOutboxAsync(caseId, cancellationToken);
            return decision;
        }
    }

    public async Task<CaseEntity?> LoadAsync(string caseId, CancellationToken cancellationToken)
    {
        var row = await storage.Cases.GetEntityIfExistsAsync<CaseEntity>(caseId, CaseEntity.Row, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    private async Task CommitAsync(CaseEntity row, Transition transition, CancellationToken cancellationToken)
    {
        var caseId = row.PartitionKey;
        var state = transition.State;
        var sequence = row.Sequence;
        var actions = new List<TableTransactionAction>();
        string Next(string prefix) => $"{prefix}{++sequence:D6}";

        foreach (var entry in transition.History)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.Add, new HistoryEntity
            {
                PartitionKey = caseId,
                RowKey = Next(HistoryEntity.Prefix),
                At = entry.At,
                What = entry.What,
                Actor = entry.Actor,
                Rule = entry.Rule,
                Detail = entry.Detail,
                Safeties = entry.Safeties is null ? null : string.Join("\n", entry.Safeties),
                Version = state.Version,
            }));
        }

        foreach (var effect in transition.Effects)
        {
            switch (effect)
            {
                case SendNotification notification:
                    var mailRow = Next(MailEntity.Prefix);
                    var content = CaseMail.Compose(notification.Kind, state, links.PortalUrl(caseId), notification.Text);
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Add, new MailEntity
                    {
                        PartitionKey = caseId,
                        RowKey = mailRow,
                        Kind = notification.Kind.ToString(),
                        To = row.ContactEmail,
                        Subject = content.Subject,
                        TextBody = content.Text,
                        HtmlBody = content.Html,
                        MessageId = $"{caseId}.{sequence:D6}",
                    }));
                    actions.Add(Outbox(caseId, Next(OutboxEntity.Prefix), DeskStorage.EmailOutboxQueue, Json.Serialize(new EmailRequest(caseId, mailRow)), null));
                    break;
                case ArmTimer timer:
                    var message = new CaseWorkflowMessage(caseId, CaseWorkflowMessage.TimerKind, timer.Kind.ToString().ToLowerInvariant(), timer.Version, timer.DueAt);
                    actions.Add(Outbox(caseId, Next(OutboxEntity.Prefix), DeskStorage.CaseWorkflowQueue, Json.Serialize(message), timer.DueAt));
                    break;
            }
        }

        row.Apply(state);
        row.Sequence = sequence;
        actions.Insert(0, new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, row.ETag));
        foreach (var chunk in actions.Chunk(100))
        {
            // Far below 100 in practice (a few history lines and effects); a decision never needs two batches.
            await storage.Cases.SubmitTransactionAsync(chunk, cancellationToken);
        }
    }

    private static TableTransactionAction Outbox(string caseId, string rowKey, string queue, string body, DateTimeOffset? dueAt) =>
        new(TableTransactionActionType.Add, new OutboxEntity { PartitionKey = caseId, RowKey = rowKey, Queue = queue, Body = body, DueAt = dueAt });

    /// <summary>Sends every unsent outbox message of the case, then marks it sent. Receivers are idempotent, so a resend after a crash is harmless.</summary>
    public async Task FlushOutboxAsync(string caseId, CancellationToken cancellationToken)
    {
        var from = OutboxEntity.Prefix;
        var to = "o}";
        await foreach (var item in storage.Cases.QueryAsync<OutboxEntity>(
            o => o.PartitionKey == caseId && o.RowKey.CompareTo(from) >= 0 && o.RowKey.CompareTo(to) < 0 && o.Sent == false,
            cancellationToken: cancellationToken))
        {
            var delay = item.DueAt is { } due ? TimerDelay(due - clock.GetUtcNow()) : TimeSpan.Zero;
            await storage.Queue(item.Queue).SendMessageAsync(item.Body, visibilityTimeout: delay, cancellationToken: cancellationToken);
            item.Sent = true;
            try
            {
                await storage.Cases.UpdateEntityAsync(item, item.ETag, TableUpdateMode.Merge, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Someone else flushed it at the same time; one extra message, absorbed by the receiver.
            }
        }
    }

    /// <summary>Queue messages can hide for at most 7 days; longer timers are re-armed when they surface.</summary>
    public static TimeSpan TimerDelay(TimeSpan remaining) =>
        remaining <= TimeSpan.Zero ? TimeSpan.Zero : remaining < MaxQueueDelay ? remaining : MaxQueueDelay;

    public static readonly TimeSpan MaxQueueDelay = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);
}
