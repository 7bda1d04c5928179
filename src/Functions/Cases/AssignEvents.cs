using System.Collections.Concurrent;
using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Functions.Storage;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Cases;

/// <summary>
/// Puts a report's routed events into cases: one open case per customer, resource and abuse class.
/// Two steps around the event write: <see cref="ResolveAsync"/> finds (or reserves) the case for each key, then
/// <see cref="AttachAsync"/> adds one link row per case and chunk in the same transaction as the case's new
/// count, its first and last seen, its sample and, while the case is under its cap, the chunk's evidence rows.
/// The open-case index row stops two workers opening two cases for one key; the link row makes a redelivered
/// chunk count (and keep) nothing twice. Cases are handled in parallel: they are independent partitions.
/// </summary>
public sealed class AssignEvents(DeskStorage storage, PlaybookSet playbooks, TimeProvider clock, IOptions<AbuseDeskOptions> options, ILogger<AssignEvents> logger)
{
    private readonly int _evidenceCap = Math.Max(0, options.Value.Cases.MaxEvidencePerCase);

    private const int MaxAttempts = 20;

    /// <summary>
    /// Attachments to one case from concurrent reports in this process take turns (striped by case id): each then
    /// costs one conflict at most instead of a storm of ETag retries. Other processes are still kept honest by
    /// the ETag.
    /// </summary>
    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, 1024).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>
    /// A case to attach to: its id, and its row when it already exists (null: create it on attach). After attaching,
    /// <see cref="Wake"/> says whether the caller must signal the case's orchestration (<see cref="CaseSignal.NewEvents"/>).
    /// </summary>
    public sealed record Target(string CaseId, CaseEntity? Existing, bool Wake = false, bool Start = false);

    /// <param name="known">
    /// Cases this report already attached to in earlier chunks, with their rows as written then: reused without
    /// reading again (a stale one costs one ETag conflict and a re-read, never a wrong count).
    /// </param>
    public async Task<IReadOnlyDictionary<CaseKey, Target>> ResolveAsync(string reportId, IReadOnlyList<CaseGroup> groups, IReadOnlyDictionary<CaseKey, Target> known, CancellationToken cancellationToken)
    {
        var targets = new ConcurrentDictionary<CaseKey, Target>();
        await Parallel.ForEachAsync(groups, Parallelism.For(cancellationToken), async (group, ct) =>
            targets[group.Key] = known.TryGetValue(group.Key, out var target) && target.Existing is not null
                ? target
                : await RetryAsync(group.Key, () => ResolveOnceAsync(reportId, group, ct), ct));
        return targets;
    }

    /// <summary>Adds each group's chunk link and count to its case; returns the cases with their rows as now written.</summary>
    public async Task<IReadOnlyDictionary<CaseKey, Target>> AttachAsync(string reportId, int chunk, IReadOnlyList<CaseGroup> groups, IReadOnlyDictionary<CaseKey, Target> targets, CancellationToken cancellationToken)
    {
        var written = new ConcurrentDictionary<CaseKey, Target>();
        await Parallel.ForEachAsync(groups, Parallelism.For(cancellationToken), async (group, ct) =>
        {
            var target = targets[group.Key];
            var stripe = _stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(target.CaseId) % (uint)_stripes.Length)];
            await stripe.WaitAsync(ct);
            try
            {
                written[group.Key] = await RetryAsync(group.Key, async () =>
                    await AttachOnceAsync(reportId, chunk, group, target, ct),
                    ct, onConflict: async () => target = new Target(target.CaseId, await LoadAsync(target.CaseId, ct)));
            }
            finally
            {
                stripe.Release();
            }
        });
        return written;
    }

    private async Task<Target> ResolveOnceAsync(string reportId, CaseGroup group, CancellationToken cancellationToken)
    {
        var key = group.Key;
        var index = await storage.OpenCases.GetEntityIfExistsAsync<OpenCaseEntity>(key.CustomerId, key.IndexKey, cancellationToken: cancellationToken);
        if (!index.HasValue)
        {
            var caseId = CaseAssignment.NewCaseId(key, reportId, group.Events[0].Index, clock.GetUtcNow());
            await storage.OpenCases.AddEntityAsync(new OpenCaseEntity { PartitionKey = key.CustomerId, RowKey = key.IndexKey, CaseId = caseId }, cancellationToken);
            return new Target(caseId, null);
        }

        var existing = await LoadAsync(index.Value!.CaseId, cancellationToken);
        if (existing is not null && !existing.ToState().Status.IsOpen())
        {
            // The case ended. Within the playbooks' reopen window it takes the new events back (its orchestration
            // reopens it when signalled); otherwise its index row is retired (only if nobody replaced it meanwhile)
            // and a new case opens.
            if (CaseStateMachine.Decide(existing.ToState(), new EventsAfterEnd(), playbooks, clock.GetUtcNow()) is Transition)
            {
                return new Target(existing.PartitionKey, existing);
            }

            await storage.OpenCases.DeleteEntityAsync(key.CustomerId, key.IndexKey, index.Value.ETag, cancellationToken);
            throw new RequestFailedException(409, "open-case index retired; resolve again");
        }

        return new Target(index.Value.CaseId, existing);
    }

    /// <returns>
    /// The case row as written (with its new ETag), or a null row when it is unknown (the chunk was already
    /// attached); and whether to signal the case: not when a digest is already due for it (the digest covers the
    /// news), and always for a chunk found attached (its earlier delivery may have died before signalling).
    /// </returns>
    private async Task<Target> AttachOnceAsync(string reportId, int chunk, CaseGroup group, Target target, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var isNew = target.Existing is null;
        // Changed on a copy: a refused transaction must leave the caller's row as it was stored.
        var row = target.Existing?.Copy() ?? NewCase(target.CaseId, group, now, OpenedBy(reportId, chunk));
        var before = row.Copy();
        var status = row.ToState().Status;
        // A case that is not yet notified hears of its events in its first step, which reads the row (and a first
        // step that commits after this attach read it too: the ETag makes one of the two go again). Only the attach
        // that opened it signals, which starts its orchestration. Once notified, news is signalled until a digest is
        // due (the digest carries it), and always to a case that ended (it may reopen).
        var wake = isNew || (status != CaseStatus.New && (row.DigestDueAt is null || !status.IsOpen()));
        row.EventCount += group.Events.Count;
        var (earliest, latest) = (DateTimeOffset.MaxValue, DateTimeOffset.MinValue);
        foreach (var e in group.Events)
        {
            var at = e.Event.OccurredAt ?? now;
            earliest = at < earliest ? at : earliest;
            latest = at > latest ? at : latest;
        }

        row.FirstEventAt = row.FirstEventAt is { } first && first < earliest ? first : earliest;
        row.LastEventAt = row.LastEventAt is { } last && last > latest ? last : latest;

        // The first events up to the cap become evidence rows in this same transaction; the rest only count.
        var keep = CaseEvidence.Keep(row.EvidenceKept, group.Events.Count, _evidenceCap);
        var packs = CaseEvidence.Pack(group.Events.Take(keep).Select(e => EvidenceItem.From(reportId, e)), CaseEvidence.MaxRowsPerAttach, out var kept);
        var evidence = packs.Select((events, i) => new EvidenceEntity
        {
            PartitionKey = target.CaseId,
            RowKey = EvidenceEntity.RowKeyFor(row.EvidenceRows + i),
            Number = row.EvidenceRows + i,
            ReportId = reportId,
            Chunk = chunk,
            Count = events.Count,
            Events = events.Json,
        }).ToList();
        row.EvidenceRows += evidence.Count;
        row.EvidenceKept += kept;
        var sample = CaseEvidence.Sample(CaseEvidence.Unpack(row.EvidenceSample), group.Events.Select(e => EvidenceItem.From(reportId, e)));
        row.EvidenceSample = CaseEvidence.Serialize(sample);

        var link = new CaseEventLinkEntity
        {
            PartitionKey = target.CaseId,
            RowKey = CaseEventLinkEntity.RowKeyFor(reportId, chunk),
            ReportId = reportId,
            Chunk = chunk,
            Count = group.Events.Count,
            Kept = kept,
        };
        try
        {
            var response = await storage.Cases.SubmitTransactionAsync(
            [
                isNew ? new TableTransactionAction(TableTransactionActionType.Add, row) : new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, row.ETag),
                new TableTransactionAction(TableTransactionActionType.Add, link),
                .. evidence.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)),
            ], cancellationToken);
            row.ETag = response.Value[0].Headers.ETag ?? Azure.ETag.All;
            // A new case's orchestration is started by this signal; an ended one's may have completed and start again.
            // Only the attach that opened the case starts its orchestration: two starts of one instance at once
            // corrupt it (docs/case-orchestration.md). Every other signal is raised to the running one.
            return new Target(target.CaseId, row, wake, Start: isNew);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409 && ex.FailedTransactionActionIndex == 1)
        {
            // This chunk is already attached (a redelivered message): nothing to count or keep again, unless a
            // reparse after a parser fix found a different number of events in it for this case. The evidence rows
            // the first attachment kept stay as they are.
            var attached = (await storage.Cases.GetEntityAsync<CaseEventLinkEntity>(link.PartitionKey, link.RowKey, cancellationToken: cancellationToken)).Value;
            if (attached.Count != link.Count && !isNew)
            {
                before.EventCount = before.EventCount - attached.Count + link.Count;
                before.FirstEventAt = row.FirstEventAt;
                before.LastEventAt = row.LastEventAt;
                link.Kept = attached.Kept;
                await storage.Cases.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.UpdateReplace, before, before.ETag),
                    new TableTransactionAction(TableTransactionActionType.UpdateReplace, link, attached.ETag),
                ], cancellationToken);
            }

            // The opening chunk, delivered again, may be the one whose start a crash cut off.
            return new Target(target.CaseId, null, Wake: true, Start: target.Existing?.OpenedBy == OpenedBy(reportId, chunk));
        }
    }

    private Task<CaseEntity?> LoadAsync(string caseId, CancellationToken cancellationToken) => CaseEntity.LoadAsync(storage.Cases, caseId, cancellationToken);

    private async Task<T> RetryAsync<T>(CaseKey key, Func<Task<T>> attempt, CancellationToken cancellationToken, Func<Task>? onConflict = null)
    {
        for (var n = 1; ; n++)
        {
            try
            {
                return await attempt();
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && n < MaxAttempts)
            {
                // Another worker changed the case or its index first: read again and redo.
                logger.LogDebug("Case race on {Customer}/{Key} (attempt {Attempt}): {Status}", key.CustomerId, key.IndexKey, n, ex.Status);
                await Task.Delay(Random.Shared.Next(2, 10 * n), cancellationToken);
                if (onConflict is not null)
                {
                    await onConflict();
                }
            }
        }
    }

    private static string OpenedBy(string reportId, int chunk) => $"{reportId}|{chunk}";

    private static CaseEntity NewCase(string caseId, CaseGroup group, DateTimeOffset now, string openedBy) => new()
    {
        OpenedBy = openedBy,
        PartitionKey = caseId,
        RowKey = CaseEntity.Row,
        CustomerId = group.Key.CustomerId,
        ResourceId = group.Key.ResourceId,
        AbuseClass = group.Key.AbuseClass.ToWireName(),
        ContactEmail = group.Allocation.ContactEmail,
        CustomerSince = new DateTimeOffset(group.Allocation.CustomerSince.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
        Language = group.Allocation.Language,
        Ip = group.Events[0].Event.Ip,
        Status = CaseStatus.New.ToWireName(),
        OpenedAt = now,
    };
}
