using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Notifications;
using AbuseDesk.Functions.Feedback;
using AbuseDesk.Functions.Notifications;
using AbuseDesk.Functions.Portal;
using AbuseDesk.Functions.Storage;
using AbuseDesk.Functions.Telemetry;
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
public sealed class CaseTransitions(
    DeskStorage storage,
    PlaybookSet playbooks,
    CaseLinks links,
    SafetyStore safety,
    TimerWheel timers,
    SendEmail mail,
    RecentCaseRows recent,
    Microsoft.Extensions.Options.IOptions<AbuseDeskOptions> options,
    TimeProvider clock,
    ILogger<CaseTransitions> logger)
{
    private const int MaxAttempts = 20;

    /// <param name="recovering">
    /// The input may have been handled before by a process that died (a redelivered message): also send any
    /// outbox rows a crash left unsent. Normal runs send exactly what they commit and never query.
    /// </param>
    public async Task<CaseDecision> ApplyAsync(string caseId, CaseInput input, CancellationToken cancellationToken, bool recovering = false)
    {
        var remembered = recent.Get(caseId);
        for (var attempt = 1; ; attempt++)
        {
            var row = remembered ?? await LoadAsync(caseId, cancellationToken) ?? throw new CaseNotFoundException(caseId);
            var now = clock.GetUtcNow();
            var state = row.ToState();
            if (input is TimerDue { Kind: TimerKind.Deadline, Facts: null } deadline)
            {
                // A deadline may act on the customer: the safeties need the world's facts, read fresh each attempt.
                input = deadline with { Facts = await safety.GatherAsync(state, now, cancellationToken) };
            }

            var decision = CaseStateMachine.Decide(state, input, playbooks, now);
            // This input is the queued wake-up: whatever it decides, later attachments must queue a new one.
            var woken = input is EventsAdded && row.WakePending;
            row.WakePending &= !woken;
            if (decision is not Transition transition)
            {
                if (remembered is not null)
                {
                    // Only the stored row may say there is nothing to do (RecentCaseRows).
                    remembered = null;
                    continue;
                }

                try
                {
                    if (woken)
                    {
                        var cleared = await storage.Cases.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                        row.ETag = cleared.Headers.ETag ?? Azure.ETag.All;
                        recent.Remember(row);
                    }
                }
                catch (RequestFailedException ex) when (ex.Status is 412 && attempt < MaxAttempts)
                {
                    // Events were attached meanwhile (they saw the flag and queued nothing): decide again with them.
                    recent.Forget(caseId);
                    continue;
                }

                if (recovering)
                {
                    await FlushOutboxAsync(caseId, cancellationToken);
                }

                return decision;
            }

            if (remembered is not null && transition.Effects.Any(e => e is CountAutomatedSuspension or TripCircuitBreaker or RecordManualReinstatement))
            {
                // These write outside the case before its commit: decide them on the stored row only.
                remembered = null;
                continue;
            }

            Committed committed;
            try
            {
                await ApplySideEffectsAsync(row, transition, now, cancellationToken);
                committed = await CommitAsync(row, transition, cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                recent.Forget(caseId);
                if (remembered is not null)
                {
                    // The remembered row was stale: read it, no need to wait for anyone.
                    remembered = null;
                    continue;
                }

                logger.LogDebug("Case {CaseId} changed under us (attempt {Attempt}); deciding again", caseId, attempt);
                await Task.Delay(Random.Shared.Next(5, 10 * attempt), cancellationToken);
                continue;
            }

            DeskMetrics.Committed(state, transition, now);
            logger.LogInformation("Case {CaseId}: {Input} → {Status} (v{Version})", caseId, input.GetType().Name, transition.State.Status.ToWireName(), transition.State.Version);
            await SendAllAsync(committed.Outbox, cancellationToken, committed.Mails);

            if (recovering)
            {
                await FlushOutboxAsync(caseId, cancellationToken);
            }

            return decision;
        }
    }

    public async Task<CaseEntity?> LoadAsync(string caseId, CancellationToken cancellationToken)
    {
        var row = await storage.Cases.GetEntityIfExistsAsync<CaseEntity>(caseId, CaseEntity.RowKeyFor(caseId), cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>
    /// Writes that live outside the case partition, made before the commit: each is an idempotent upsert keyed by
    /// the case and its new version, so a lost race that decides again rewrites the same row. If the commit then
    /// fails for good, the only trace is a conservative one (one more suspension counted towards the breaker).
    /// </summary>
    private async Task ApplySideEffectsAsync(CaseEntity row, Transition transition, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var effect in transition.Effects)
        {
            switch (effect)
            {
                case CountAutomatedSuspension:
                    await safety.CountAutomatedSuspensionAsync(row.PartitionKey, transition.State.Version, now, cancellationToken);
                    break;
                case TripCircuitBreaker trip:
                    await safety.TripBreakerAsync(trip.Reason, now, cancellationToken);
                    logger.LogWarning("Circuit breaker tripped by case {CaseId}: {Reason}", row.PartitionKey, trip.Reason);
                    break;
                case RecordManualReinstatement reinstatement:
                    await safety.RecordReinstatementAsync(row.CustomerId, reinstatement.At, cancellationToken);
                    break;
            }
        }
    }

    /// <summary>What a commit wrote that leaves after it: its outbox rows and the mails claimed to be sent at once (each with its new ETag).</summary>
    private sealed record Committed(List<OutboxEntity> Outbox, List<MailEntity> Mails);

    /// <summary>Commits the transition; returns the outbox rows and claimed mails it wrote, for sending.</summary>
    private async Task<Committed> CommitAsync(CaseEntity row, Transition transition, CancellationToken cancellationToken)
    {
        var caseId = row.PartitionKey;
        var state = transition.State;
        var sequence = row.Sequence;
        var actions = new List<TableTransactionAction>();
        string Next(string prefix) => RowKeys.Numbered(caseId, prefix, ++sequence);

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
                    var content = CaseMail.Compose(notification.Kind, state, links.PortalUrl(caseId), notification.Text, row.Language);
                    var mailEntity = new MailEntity
                    {
                        PartitionKey = caseId,
                        RowKey = mailRow,
                        Kind = notification.Kind.ToString(),
                        To = row.ContactEmail,
                        Subject = content.Subject,
                        TextBody = content.Text,
                        HtmlBody = content.Html,
                        MessageId = $"{caseId}.{sequence:D6}",
                    };
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Add, mailEntity));
                    // Claimed for this process when a token is free: sent right after the commit, and the claimed
                    // pending mail is its own outbox entry (docs/email.md). Otherwise the mail queue takes it.
                    if (!mail.ClaimForNow(mailEntity))
                    {
                        actions.Add(Outbox(caseId, Next(OutboxEntity.Prefix), DeskStorage.EmailOutboxQueue, Json.Serialize(new EmailRequest(caseId, mailRow)), null));
                    }

                    break;
                case PlatformAction action:
                    var message = new PlatformMessage(
                        $"{caseId}.{state.Version}.{action.Kind.ToString().ToLowerInvariant()}", caseId, row.CustomerId, row.ResourceId, row.Ip,
                        action.Kind.ToString().ToLowerInvariant(), action.Reason, transition.History.FirstOrDefault()?.At ?? clock.GetUtcNow());
                    var body = Json.Serialize(message);
                    actions.Add(Outbox(caseId, Next(OutboxEntity.Prefix), DeskStorage.SuspensionsQueue, body, null));
                    if (!string.IsNullOrEmpty(options.Value.Platform.WebhookUrl))
                    {
                        actions.Add(Outbox(caseId, Next(OutboxEntity.Prefix), DeskStorage.PlatformWebhookQueue, body, null));
                    }

                    break;
                case RequestCustomerDigest:
                    var request = new CaseWorkflowMessage(caseId, CaseWorkflowMessage.CustomerDigest, CustomerId: row.CustomerId);
                    actions.Add(Outbox(caseId, Next(OutboxEntity.Prefix), DeskStorage.CaseWorkflowQueue, Json.Serialize(request), null));
                    break;
                case ArmTimer timer:
                    var due = new CaseWorkflowMessage(caseId, CaseWorkflowMessage.TimerKind, timer.Kind.ToString().ToLowerInvariant(), timer.Version, timer.DueAt);
                    actions.Add(Outbox(caseId, Next(OutboxEntity.Prefix), DeskStorage.CaseWorkflowQueue, Json.Serialize(due), timer.DueAt));
                    break;
            }
        }

        if (ReporterFeedbackMessage.Ends(row.Status, state.Status))
        {
            // Reporters who asked hear when every case their report fed has ended (docs/feedback.md).
            actions.Add(Outbox(caseId, Next(OutboxEntity.Prefix), DeskStorage.ReporterFeedbackQueue, ReporterFeedbackMessage.ForEndedCase(caseId), null));
        }

        row.Apply(state);
        row.Sequence = sequence;
        actions.Insert(0, new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, row.ETag));
        // Far below 100 actions in practice (a few history lines and effects): one atomic batch.
        var responses = (await storage.Cases.SubmitTransactionAsync(actions, cancellationToken)).Value;
        row.ETag = responses[0].Headers.ETag ?? Azure.ETag.All;
        recent.Remember(row);
        var committed = new Committed([], []);
        for (var i = 0; i < actions.Count; i++)
        {
            if (actions[i].Entity is OutboxEntity item)
            {
                item.ETag = responses[i].Headers.ETag ?? Azure.ETag.All;
                committed.Outbox.Add(item);
            }
            else if (actions[i].Entity is MailEntity { ClaimedUntil: not null } claimed)
            {
                claimed.ETag = responses[i].Headers.ETag ?? Azure.ETag.All;
                committed.Mails.Add(claimed);
            }
        }

        return committed;
    }

    private static TableTransactionAction Outbox(string caseId, string rowKey, string queue, string body, DateTimeOffset? dueAt) =>
        new(TableTransactionActionType.Add, new OutboxEntity { PartitionKey = caseId, RowKey = rowKey, Queue = queue, Body = body, DueAt = dueAt });

    /// <summary>
    /// Sends every unsent outbox message of the case, then marks it sent, and hands its claimed pending mails to the
    /// mail queue (their claimer may have died). Receivers are idempotent, so a resend after a crash is harmless.
    /// </summary>
    public async Task FlushOutboxAsync(string caseId, CancellationToken cancellationToken)
    {
        // One partition query for both (Azurite answers each query by walking the whole table).
        var (outboxFrom, outboxTo) = (OutboxEntity.Prefix, KeyRange.After(OutboxEntity.Prefix));
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {caseId}") + " and (" +
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
                DueAt = row.GetDateTimeOffset(nameof(OutboxEntity.DueAt)),
                ETag = row.ETag,
            }, cancellationToken);
        }
    }

    /// <summary>Sends one outbox message and marks it sent. Receivers are idempotent, so a resend after a crash is harmless.</summary>
    public Task SendAsync(OutboxEntity item, CancellationToken cancellationToken) => SendAllAsync([item], cancellationToken);

    /// <summary>
    /// Sends the outbox messages of one partition, then marks them all sent in one transaction (one write instead
    /// of one per message). Receivers are idempotent, so a resend after a crash is harmless. Mails the commit
    /// claimed (<paramref name="claimed"/>) go out over SMTP here and are marked sent in the same closing
    /// transaction; one the relay refused goes to the mail queue, to surface when its claim ends.
    /// </summary>
    public async Task SendAllAsync(IReadOnlyList<OutboxEntity> items, CancellationToken cancellationToken, IReadOnlyList<MailEntity>? claimed = null)
    {
        foreach (var item in items)
        {
            if (item.DueAt is { } due && item.Queue == DeskStorage.CaseWorkflowQueue)
            {
                // A timer: its outbox row names it, so arming it again after a crash rewrites the same wheel row.
                await timers.ArmAsync(item.Body, $"{item.PartitionKey}|{item.RowKey}", due, cancellationToken);
            }
            else
            {
                await storage.Queue(item.Queue).SendMessageAsync(item.Body, cancellationToken);
            }

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

    /// <summary>Mail rows not yet sent nor given up on; with a ClaimedUntil clause, the claimed ones among them.</summary>
    private static readonly string PendingMails =
        TableClient.CreateQueryFilter($"RowKey ge {MailEntity.Prefix} and RowKey lt {KeyRange.After(MailEntity.Prefix)} and Status eq {SendEmail.Pending}");

    private async Task QueueClaimedMailAsync(MailEntity claimedMail, CancellationToken cancellationToken)
    {
        var claimEnds = (claimedMail.ClaimedUntil ?? clock.GetUtcNow()) - clock.GetUtcNow();
        await storage.Queue(DeskStorage.EmailOutboxQueue).SendMessageAsync(
            Json.Serialize(new EmailRequest(claimedMail.PartitionKey, claimedMail.RowKey)),
            visibilityTimeout: TimerDelay(claimEnds + TimeSpan.FromSeconds(1)), cancellationToken: cancellationToken);
    }

    /// <summary>
    /// A mail claimed in its commit has no outbox row: the pending, claimed mail is its own. If the process that
    /// claimed it died before or during SMTP, this hands it to the mail queue, to surface when the claim ends; a mail
    /// sent or queued meanwhile is skipped there. The sweeper's pass over all cases takes claims over for a minute;
    /// a redelivered message's flush takes its case's (<see cref="FlushOutboxAsync"/>).
    /// </summary>
    public async Task<int> QueueAbandonedMailsAsync(CancellationToken cancellationToken)
    {
        var filter = PendingMails + " and " + TableClient.CreateQueryFilter($"ClaimedUntil lt {clock.GetUtcNow() - TimeSpan.FromMinutes(1)}");
        var queued = 0;
        await foreach (var abandoned in storage.Cases.QueryAsync<MailEntity>(filter, select: ["PartitionKey", "RowKey", "ClaimedUntil"], cancellationToken: cancellationToken))
        {
            await QueueClaimedMailAsync(abandoned, cancellationToken);
            queued++;
        }

        return queued;
    }

    /// <summary>Queue messages can hide for at most 7 days; longer timers are re-armed when they surface.</summary>
    public static TimeSpan TimerDelay(TimeSpan remaining) =>
        remaining <= TimeSpan.Zero ? TimeSpan.Zero : remaining < MaxQueueDelay ? remaining : MaxQueueDelay;

    public static readonly TimeSpan MaxQueueDelay = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);
}
