using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Notifications;
using AbuseDesk.Functions.Feedback;
using AbuseDesk.Functions.Notifications;
using AbuseDesk.Functions.Portal;
using AbuseDesk.Functions.Storage;
using AbuseDesk.Functions.Telemetry;
using Azure;
using Azure.Data.Tables;
using Microsoft.DurableTask.Client;

namespace AbuseDesk.Functions.Cases;

/// <summary>
/// One step of a case orchestration: read the case row, let the pure state machine decide, then commit the new
/// state, its history, the mails it owes, its outbox and its timers in ONE entity-group transaction guarded by the
/// row's ETag (events attached meanwhile make it read and decide again), and send the outbox. The step's id is
/// committed with it: the engine runs an activity at least once, and a step that finds its own id on the row
/// decided before and died after its commit, so it only sends what is still unsent and answers as it did then.
/// </summary>
public sealed class CaseTransitions(
    DeskStorage storage,
    PlaybookSet playbooks,
    CaseLinks links,
    SafetyStore safety,
    SendEmail mail,
    CaseOutbox outbox,
    Ownership.CustomerContacts contacts,
    CaseReporters reporters,
    Microsoft.Extensions.Options.IOptions<AbuseDeskOptions> options,
    TimeProvider clock,
    ILogger<CaseTransitions> logger)
{
    private const int MaxAttempts = 20;

    /// <summary>A timer this close to its time is waited out in the step: durable timers may fire up to a second early.</summary>
    private static readonly TimeSpan EarlyTolerance = TimeSpan.FromSeconds(2);

    public async Task<CaseStep> StepAsync(CaseStepRequest request, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var caseId = request.CaseId;
        for (var attempt = 1; ; attempt++)
        {
            var row = await CaseEntity.LoadAsync(storage.Cases, caseId, cancellationToken);
            if (row is null)
            {
                logger.LogWarning("Case {CaseId}: no such case; its orchestration ends", caseId);
                return new CaseStep(CaseStep.Missing, 0, 0, true, []);
            }

            if (row.LastStep == request.StepId && row.LastStepResult is { } answered)
            {
                // This very step committed before and its run died: finish what it owed.
                await outbox.FlushAsync(caseId, cancellationToken);
                await RequestDigestIfDueAsync(row, durable, cancellationToken);
                return Json.Deserialize<CaseStep>(answered);
            }

            if (attempt == 1 && request.Signal.RequestId is { } requestId
                && await CaseAnswerEntity.FindAsync(storage.Cases, caseId, requestId, cancellationToken) is not null)
            {
                // Answered before under this request id: a mail reply read again after a crash raises it again.
                return Answer(CaseStep.Unchanged, row, ArmedTimers.Read(row.Timers));
            }

            var state = row.ToState();
            var timers = ArmedTimers.Read(row.Timers);
            if (request.Signal.Kind == CaseSignal.Refresh && attempt == 1)
            {
                // A restarted orchestration: whatever a failed run left unsent goes now.
                await outbox.FlushAsync(caseId, cancellationToken);
            }

            var input = request.Signal.ToInput(state);
            if (input is null)
            {
                return Answer(CaseStep.Unchanged, row, timers);
            }

            var fired = request.Signal.Timer;
            if (fired is not null)
            {
                if (!timers.Contains(fired))
                {
                    return Answer(CaseStep.Unchanged, row, timers);
                }

                var early = fired.DueAt - clock.GetUtcNow();
                if (early > EarlyTolerance)
                {
                    return Answer(CaseStep.Early, row, timers);
                }

                if (early > TimeSpan.Zero)
                {
                    await Task.Delay(early, clock, cancellationToken);
                }
            }

            var now = clock.GetUtcNow();
            if (input is TimerDue { Kind: TimerKind.Deadline } deadline)
            {
                // A deadline may act on the customer: the safeties need the world's facts, read fresh each attempt.
                input = deadline with { Facts = await safety.GatherAsync(state, now, cancellationToken) };
            }
            else if (input is MessageToReporters { Reach: null } toReporters)
            {
                input = toReporters with { Reach = await reporters.ReachAsync(caseId, cancellationToken) };
            }

            var decision = CaseStateMachine.Decide(state, input, playbooks, now);
            try
            {
                if (decision is not Transition transition)
                {
                    return await AnswerUnchangedAsync(row, request, decision, timers, fired, cancellationToken);
                }

                var next = ArmedTimers.After(timers, fired, transition);
                await ApplySideEffectsAsync(row, transition, now, cancellationToken);
                var (answer, committed) = await CommitAsync(row, transition, request, next, cancellationToken);
                DeskMetrics.Committed(state, transition, now);
                logger.LogInformation("Case {CaseId}: {Input} → {Status} (v{Version})", caseId, input.GetType().Name, transition.State.Status.ToWireName(), transition.State.Version);
                await outbox.SendAllAsync(committed.Outbox, cancellationToken, committed.Mails);
                if (transition.Effects.Any(e => e is RequestCustomerDigest))
                {
                    await CustomerDigestOrchestration.RequestAsync(storage.Cases, durable, row.CustomerId, cancellationToken);
                }

                return answer;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Events were attached meanwhile: decide again with them.
                logger.LogDebug("Case {CaseId} changed under us (attempt {Attempt}); deciding again", caseId, attempt);
                await Task.Delay(Random.Shared.Next(5, 10 * attempt), cancellationToken);
            }
        }
    }

    /// <summary>
    /// No change. A timer that fired for nothing is struck off the case's list (or it would be waited for again), and an
    /// asker waiting for its answer is given it.
    /// </summary>
    private async Task<CaseStep> AnswerUnchangedAsync(CaseEntity row, CaseStepRequest request, CaseDecision decision, IReadOnlyList<ArmedTimer> timers, ArmedTimer? fired, CancellationToken cancellationToken)
    {
        var outcome = decision is Refused ? CaseStep.Refused : CaseStep.Unchanged;
        if (decision is NoChange noChange)
        {
            logger.LogDebug("Case {CaseId}: {Why}", row.PartitionKey, noChange.Why);
        }

        if (fired is not null)
        {
            timers = [.. timers.Where(t => t != fired)];
            row.Timers = ArmedTimers.Write(timers);
            var response = await storage.Cases.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
            row.ETag = response.Headers.ETag ?? ETag.All;
        }

        if (request.Signal.RequestId is { } requestId)
        {
            await storage.Cases.UpsertEntityAsync(CaseAnswerEntity.For(row.PartitionKey, requestId, decision, row.ToState()), TableUpdateMode.Replace, cancellationToken);
        }

        return Answer(outcome, row, timers);
    }

    private static CaseStep Answer(string outcome, CaseEntity row, IReadOnlyList<ArmedTimer> timers)
    {
        var status = CaseStatuses.TryParse(row.Status, out var parsed) ? parsed : CaseStatus.New;
        return new(outcome, row.Version, row.EventCount, !status.IsOpen(), timers, Final: status == CaseStatus.Terminated);
    }

    private async Task RequestDigestIfDueAsync(CaseEntity row, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        if (row.DigestDueAt is not null)
        {
            await CustomerDigestOrchestration.RequestAsync(storage.Cases, durable, row.CustomerId, cancellationToken);
        }
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

    private async Task<(CaseStep Answer, Committed Committed)> CommitAsync(CaseEntity row, Transition transition, CaseStepRequest request, IReadOnlyList<ArmedTimer> timers, CancellationToken cancellationToken)
    {
        var caseId = row.PartitionKey;
        var state = transition.State;
        var sequence = row.Sequence;
        var actions = new List<TableTransactionAction>();
        string Next(string prefix) => RowKeys.Numbered(prefix, ++sequence);
        // The customer's own confirmed abuse contact, if they set one, else the allocation's (read when there is mail).
        var to = transition.Effects.Any(e => e is SendNotification) ? await contacts.ConfirmedAsync(row.CustomerId, cancellationToken) ?? row.ContactEmail : row.ContactEmail;

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
                        To = to,
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
                        actions.Add(Outbox(caseId, Next(OutboxEntity.Prefix), DeskStorage.EmailOutboxQueue, Json.Serialize(new EmailRequest(caseId, mailRow))));
                    }

                    break;
                case RelayToReporters relay:
                    var relayed = RelayMail.ComposeToReporter(caseId, relay.Text);
                    foreach (var reporter in relay.To.Take(CaseReporters.MaxRelayed))
                    {
                        var relayRow = Next(MailEntity.Prefix);
                        actions.Add(new TableTransactionAction(TableTransactionActionType.Add, new MailEntity
                        {
                            PartitionKey = caseId,
                            RowKey = relayRow,
                            Kind = CaseReporters.RelayKind,
                            To = reporter.Address,
                            Subject = relayed.Subject,
                            TextBody = relayed.Text,
                            HtmlBody = relayed.Html,
                            MessageId = $"{caseId}.{sequence:D6}",
                        }));
                        actions.Add(Outbox(caseId, Next(OutboxEntity.Prefix), DeskStorage.EmailOutboxQueue, Json.Serialize(new EmailRequest(caseId, relayRow))));
                    }

                    break;
                case PlatformAction action:
                    var message = new PlatformMessage(
                        $"{caseId}.{state.Version}.{action.Kind.ToString().ToLowerInvariant()}", caseId, row.CustomerId, row.ResourceId, row.Ip,
                        action.Kind.ToString().ToLowerInvariant(), action.Reason, transition.History.FirstOrDefault()?.At ?? clock.GetUtcNow());
                    var body = Json.Serialize(message);
                    actions.Add(Outbox(caseId, Next(OutboxEntity.Prefix), DeskStorage.SuspensionsQueue, body));
                    if (!string.IsNullOrEmpty(options.Value.Platform.WebhookUrl))
                    {
                        actions.Add(Outbox(caseId, Next(OutboxEntity.Prefix), DeskStorage.PlatformWebhookQueue, body));
                    }

                    break;
            }
        }

        if (ReporterFeedbackMessage.Ends(row.Status, state.Status))
        {
            // Reporters who asked hear when every case their report fed has ended (docs/feedback.md).
            actions.Add(Outbox(caseId, Next(OutboxEntity.Prefix), DeskStorage.ReporterFeedbackQueue, ReporterFeedbackMessage.ForEndedCase(caseId)));
        }

        if (request.Signal.RequestId is { } requestId)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, CaseAnswerEntity.For(caseId, requestId, transition, state)));
        }

        row.Apply(state);
        row.Sequence = sequence;
        row.Timers = ArmedTimers.Write(timers);
        var answer = Answer(CaseStep.Changed, row, timers);
        row.LastStep = request.StepId;
        row.LastStepResult = Json.Serialize(answer);
        actions.Insert(0, new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, row.ETag));
        // Far below 100 actions in practice (a few history lines and effects): one atomic batch.
        var responses = (await storage.Cases.SubmitTransactionAsync(actions, cancellationToken)).Value;
        row.ETag = responses[0].Headers.ETag ?? ETag.All;
        var committed = new Committed([], []);
        for (var i = 0; i < actions.Count; i++)
        {
            if (actions[i].Entity is OutboxEntity item)
            {
                item.ETag = responses[i].Headers.ETag ?? ETag.All;
                committed.Outbox.Add(item);
            }
            else if (actions[i].Entity is MailEntity { ClaimedUntil: not null } claimed)
            {
                claimed.ETag = responses[i].Headers.ETag ?? ETag.All;
                committed.Mails.Add(claimed);
            }
        }

        return (answer, committed);
    }

    private static TableTransactionAction Outbox(string caseId, string rowKey, string queue, string body) =>
        new(TableTransactionActionType.Add, new OutboxEntity { PartitionKey = caseId, RowKey = rowKey, Queue = queue, Body = body });
}

/// <summary>The case row's list of armed timers, as JSON.</summary>
public static class ArmedTimers
{
    public static IReadOnlyList<ArmedTimer> Read(string? json) =>
        string.IsNullOrEmpty(json) ? [] : Json.Deserialize<List<ArmedTimer>>(json);

    public static string? Write(IReadOnlyList<ArmedTimer> timers) => timers.Count == 0 ? null : Json.Serialize(timers);

    /// <summary>
    /// The timers a case waits for after <paramref name="transition"/>: those still armed for its new version, less the
    /// one that just fired, and those it arms.
    /// </summary>
    public static IReadOnlyList<ArmedTimer> After(IReadOnlyList<ArmedTimer> timers, ArmedTimer? fired, Transition transition) =>
        [.. timers.Where(t => t != fired && t.Version >= transition.State.Version)
            .Concat(transition.Effects.OfType<ArmTimer>().Select(t => new ArmedTimer(t.Kind, t.Version, t.DueAt)))
            .Distinct()];
}

/// <summary>
/// The answer to one portal or ops input (RK = "a|{requestId}"), written by the step that decided it, for
/// the request that raised it and is waiting (<see cref="CaseInbox"/>).
/// </summary>
public sealed class CaseAnswerEntity : Entity
{
    public const string Prefix = "a|";

    public string Outcome { get; set; } = "";
    public string Status { get; set; } = "";
    public int Version { get; set; }
    public string? Reason { get; set; }

    /// <summary>For a refusal: what is allowed instead, one per line.</summary>
    public string? Allowed { get; set; }

    public static string RowKeyFor(string requestId) => Prefix + requestId;

    /// <summary>The case's answer to this request, or null while it has none.</summary>
    public static async Task<CaseAnswerEntity?> FindAsync(TableClient cases, string caseId, string requestId, CancellationToken cancellationToken)
    {
        var answer = await cases.GetEntityIfExistsAsync<CaseAnswerEntity>(caseId, RowKeyFor(requestId), cancellationToken: cancellationToken);
        return answer.HasValue ? answer.Value : null;
    }

    public static CaseAnswerEntity For(string caseId, string requestId, CaseDecision decision, CaseState state) => new()
    {
        PartitionKey = caseId,
        RowKey = RowKeyFor(requestId),
        Outcome = decision switch { Transition => CaseStep.Changed, Refused => CaseStep.Refused, _ => CaseStep.Unchanged },
        Status = (decision is Transition t ? t.State : state).Status.ToWireName(),
        Version = (decision is Transition v ? v.State : state).Version,
        Reason = decision switch { Refused r => r.Reason, NoChange n => n.Why, _ => null },
        Allowed = decision is Refused refused ? string.Join("\n", refused.Allowed) : null,
    };
}
