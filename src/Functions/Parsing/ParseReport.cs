using System.Diagnostics;
using Microsoft.DurableTask.Client;
using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Feedback;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Intake;
using AbuseDesk.Functions.Ownership;
using AbuseDesk.Functions.Storage;
using AbuseDesk.Functions.Telemetry;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Parsing;

/// <summary>
/// reports-parse: raw report → events → owners → cases, streaming, in two passes over the blob. The first only
/// reads: a report that fails anywhere (a zip bomb found after 200,000 rows, a corrupt entry) fails before one
/// event is routed, and the reporter's daily event allowance is taken for the whole report or not at all. The
/// second reads again and handles events in chunks: route, reserve cases, write the events (batched, parallel,
/// one partition per chunk), attach them to their cases, queue the cases' workflow, then record the chunk as
/// done. A mail that is no report (a bounce, an auto-reply) is set aside by the first pass as ignored, with the
/// reason. A redelivered message skips finished chunks and redoes the rest idempotently; memory stays bounded by
/// one chunk. Parsing costs little next to storing (hundreds of MB/s), so reading twice is cheap; both passes read
/// one local copy of the blob (<see cref="ReportCopy"/>).
/// </summary>
/// <remarks>
/// URL-only events (a phishing page, a malware download) name a host: the first pass gathers the report's hosts
/// (bounded), looks them up in DNS and records the answers; the second routes by those records (docs/url-hosts.md).
/// </remarks>
public sealed class ParseReport(DeskStorage storage, AllocationStore allocations, AssignEvents assign, Reporters reporters, ReporterQuota quota, HostLookup hosts, ReportQueries queries, IOptions<AbuseDeskOptions> options, ILogger<ParseReport> logger)
{
    // Case work (resolve, attach, wake) is per case and chunk: bigger chunks mean less of it; 25,000 events
    // (about 40 MB) keeps memory bounded for any feed size.
    public const int ChunkSize = 25_000;

    /// <summary>How often one delivery rereads a row another delivery saved under it before it gives up and is retried.</summary>
    private const int MaxRereads = 5;

    public async Task RunAsync(TriggerInput input, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var request = Json.Deserialize<ParseRequest>(input.Payload);
        var started = Stopwatch.GetTimestamp();
        var spent = new ReadingTime();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ParseAsync(request, durable, spent, cancellationToken);
                break;
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 412 && attempt < MaxRereads)
            {
                // Another delivery of this report (a reparse, a late copy, a message whose lease ran out) saved the
                // row first. Every step is idempotent, so this one reads the row again and carries on from there: it
                // finds the report settled, or the chunks the other one finished.
                logger.LogInformation("Report {ReportId} was saved by another delivery; reading it again", request.ReportId);
            }
        }

        // The handler's own time, queue wait excluded, and the part of it the parser had (both passes reading the
        // blob and routing, without storing): what the fuzz benchmark reads. Storing grows with the events and the store.
        logger.LogInformation("Report {ReportId} handled in {HandledMilliseconds} ms, {ReadingMilliseconds} ms of it reading and routing",
            request.ReportId, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, (long)spent.Reading.TotalMilliseconds);
        // Also on a redelivery that finds the report settled: a crash right after the save must not lose the feedback.
        await storage.Queue(DeskStorage.ReporterFeedbackQueue).SendMessageAsync(ReporterFeedbackMessage.ForReport(request.ReportId), cancellationToken);
    }

    /// <summary>What the parser itself took of a delivery, across rereads.</summary>
    private sealed class ReadingTime
    {
        public TimeSpan Reading { get; private set; }

        public void Add(long since) => Reading += Stopwatch.GetElapsedTime(since);
    }

    private async Task ParseAsync(ParseRequest request, DurableTaskClient durable, ReadingTime spent, CancellationToken cancellationToken)
    {
        var report = (await storage.Reports.GetEntityAsync<ReportEntity>(request.ReportId, ReportEntity.Row, cancellationToken: cancellationToken)).Value;
        using var scope = logger.BeginScope(new DeskLogScope(report.PartitionKey, null));
        if (report.Status != ReportStatus.Received)
        {
            return;
        }

        using var copy = await ReportCopy.OpenAsync(storage.RawReports.GetBlobClient(report.BlobName), report.Size, cancellationToken);
        if (!report.Checked)
        {
            if (await CheckAsync(report, copy, spent, cancellationToken) is { } refusal)
            {
                await (refusal.NotAReport ? IgnoreAsync(report, refusal.Reason, cancellationToken) : FailAsync(report, refusal.Reason, cancellationToken));
                return;
            }

            report.Checked = true;
            report = await SaveAsync(report, cancellationToken);
        }

        var table = await allocations.CurrentAsync(cancellationToken);
        var answers = await queries.HostAnswersAsync(report.PartitionKey, cancellationToken);
        var mark = Stopwatch.GetTimestamp();
        await using var content = await copy.ReadAsync(cancellationToken);
        using var reading = ReportParser.Open(content, new ReportInput(report.ContentType, report.FileName, report.ReportTypeHint));
        report.Format = reading.Format;
        if (reading.Error is not null)
        {
            await FailAsync(report, reading.Error, cancellationToken);
            return;
        }

        IReadOnlyDictionary<CaseKey, AssignEvents.Target> known = new Dictionary<CaseKey, AssignEvents.Target>();
        var chunk = 0;
        var index = 0;
        try
        {
            foreach (var events in reading.Events.Chunk(ChunkSize))
            {
                if (chunk < report.ChunksDone)
                {
                    // Stored and attached by an earlier delivery of this message.
                    index += events.Length;
                    chunk++;
                    continue;
                }

                var routed = new RoutedEvent[events.Length];
                for (var i = 0; i < events.Length; i++)
                {
                    routed[i] = ReportedHosts.Route(index++, events[i], table, answers);
                }

                spent.Add(mark);
                known = await StoreChunkAsync(report.PartitionKey, chunk, routed, known, durable, cancellationToken);
                report.ChunksDone = ++chunk;
                report.EventCount += routed.Length;
                report.RoutedCount += routed.Count(r => r.Routed);
                report.UnroutedCount = report.EventCount - report.RoutedCount;
                report.Notes = NotesOf(report, reading);
                report = await SaveAsync(report, cancellationToken);
                DeskMetrics.EventsRouted(routed.Count(r => r.Routed), routed.Count(r => !r.Routed));
                mark = Stopwatch.GetTimestamp();
            }

            spent.Add(mark);
        }
        catch (Exception ex) when (ex is ReportRejectedException || ex is not (IOException or OperationCanceledException or ObjectDisposedException or Azure.RequestFailedException))
        {
            // The first pass read these same bytes to the end with the same parser, so this means a parser that
            // is not deterministic: a bug to see, not a report to retry for ever. Kept as failed, with what was routed.
            logger.LogError(ex, "Report {ReportId} failed on the second pass after {Events} events although the first pass read it whole", report.PartitionKey, index);
            await FailAsync(report, $"parser error after {index} events: {ex.GetType().Name}", cancellationToken);
            return;
        }

        report.Status = ReportStatus.Parsed;
        report.Notes = NotesOf(report, reading);
        await SaveAsync(report, cancellationToken);
        logger.LogInformation("Report {ReportId} parsed as {Format}: {Events} events, {Routed} routed", report.PartitionKey, report.Format, report.EventCount, report.RoutedCount);
    }

    /// <summary>Why the first pass stops a report: it fails, or it is no report at all and is ignored.</summary>
    private sealed record Refusal(string Reason, bool NotAReport = false)
    {
        public static implicit operator Refusal(string reason) => new(reason);
    }

    /// <summary>
    /// The first pass: reads the whole report without storing anything. Null when it may be routed (its events then
    /// taken from the reporter's daily allowance); otherwise why it fails or is ignored (a non-report takes nothing).
    /// </summary>
    private async Task<Refusal?> CheckAsync(ReportEntity report, ReportCopy copy, ReadingTime spent, CancellationToken cancellationToken)
    {
        var mark = Stopwatch.GetTimestamp();
        long events = 0;
        var maxHosts = options.Value.Dns.MaxHostsPerReport;
        var urlHosts = new HashSet<string>(StringComparer.Ordinal);
        var hostsLeftOut = 0L;
        try
        {
            await using (var content = await copy.ReadAsync(cancellationToken))
            using (var reading = ReportParser.Open(content, new ReportInput(report.ContentType, report.FileName, report.ReportTypeHint)))
            {
                report.Format = reading.Format;
                if (reading.IgnoredBecause is { } notAReport)
                {
                    return new Refusal(notAReport, NotAReport: true);
                }

                if (reading.Error is not null)
                {
                    return reading.Error;
                }

                try
                {
                    foreach (var reportEvent in reading.Events)
                    {
                        events++;
                        if (ReportedHosts.HostToResolve(reportEvent) is { } host && !urlHosts.Contains(host))
                        {
                            // Bounded: a report naming a million hosts must not become a million lookups.
                            if (urlHosts.Count < maxHosts)
                            {
                                urlHosts.Add(host);
                            }
                            else
                            {
                                hostsLeftOut++;
                            }
                        }
                    }
                }
                catch (ReportRejectedException ex)
                {
                    return ex.Message;
                }
                catch (Exception ex) when (ex is not (IOException or OperationCanceledException or ObjectDisposedException or Azure.RequestFailedException))
                {
                    // The parsers promise never to throw; if one does, the report is failed and kept, not retried for ever.
                    logger.LogError(ex, "Parser threw on report {ReportId}", report.PartitionKey);
                    return $"parser error after {events} events: {ex.GetType().Name}";
                }
            }
        }
        finally
        {
            spent.Add(mark);
        }

        // A reparse is ops' decision, not the reporter's traffic: its events were counted when it first came in.
        if (report.Reparses == 0)
        {
            // A crash between taking and saving takes them again on redelivery: the reporter is charged twice, never routed twice.
            var limits = quota.LimitsOf(await reporters.FindAsync(report.ReporterId, cancellationToken));
            if (await quota.TakeEventsAsync(report.ReporterId, limits, events, cancellationToken) is { } refusal)
            {
                return (Refusal)$"not routed: {refusal.Detail}; ops can raise the reporter's limits and reparse it";
            }
        }

        await LookUpHostsAsync(report, urlHosts, hostsLeftOut, cancellationToken);
        return null;
    }

    /// <summary>Looks the hosts up (a few at a time) and records every answer in the report's partition before routing.</summary>
    private async Task LookUpHostsAsync(ReportEntity report, IReadOnlyCollection<string> urlHosts, long hostsLeftOut, CancellationToken cancellationToken)
    {
        report.UrlHostsNotLookedUp = hostsLeftOut;
        if (urlHosts.Count == 0)
        {
            return;
        }

        var answers = new System.Collections.Concurrent.ConcurrentBag<HostAnswer>();
        await Parallel.ForEachAsync(urlHosts, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (host, ct) =>
            answers.Add(await hosts.ResolveAsync(host, ct)));
        foreach (var batch in answers.Select(a => HostAnswerEntity.From(report.PartitionKey, a)).Chunk(100))
        {
            await storage.Reports.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken);
        }

        logger.LogInformation("Report {ReportId}: {Hosts} URL host(s) looked up, {Resolved} resolved", report.PartitionKey, answers.Count, answers.Count(a => a.Addresses.Count > 0));
    }

    private async Task<IReadOnlyDictionary<CaseKey, AssignEvents.Target>> StoreChunkAsync(
        string reportId, int chunk, RoutedEvent[] routed, IReadOnlyDictionary<CaseKey, AssignEvents.Target> known, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var groups = CaseAssignment.Group(routed);
        var targets = await assign.ResolveAsync(reportId, groups, known, cancellationToken);

        var caseOf = new Dictionary<int, string>();
        foreach (var group in groups)
        {
            foreach (var e in group.Events)
            {
                caseOf[e.Index] = targets[group.Key].CaseId;
            }
        }

        var partition = EventEntity.PartitionFor(reportId, chunk);
        var batches = routed.Select(r => ToEntity(partition, r, caseOf.GetValueOrDefault(r.Index))).Chunk(100);
        await Parallel.ForEachAsync(batches, Parallelism.For(cancellationToken), async (batch, ct) =>
            await storage.Events.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), ct));

        var written = await assign.AttachAsync(reportId, chunk, groups, targets, cancellationToken);

        // Each case's orchestration hears of its new events (AttachAsync says which need telling), with the count
        // they brought the case to: a signal the case's last step already saw costs the orchestration nothing.
        var signals = written.Values.Where(t => t.Wake).GroupBy(t => t.CaseId, StringComparer.Ordinal)
            .Select(g => (CaseId: g.Key, Count: g.Max(t => t.Existing?.EventCount), Start: g.Any(t => t.Start)));
        await Parallel.ForEachAsync(signals, Parallelism.For(cancellationToken), async (wake, ct) =>
        {
            var signal = wake.Count is { } count ? CaseSignal.NewEvents(count) : new CaseSignal(CaseSignal.Events);
            await (wake.Start
                ? CaseInbox.SignalAsync(durable, wake.CaseId, signal, ct)
                // An open, notified case's orchestration runs: raising alone saves the engine an instance read.
                : durable.RaiseEventAsync(CaseOrchestration.InstanceFor(wake.CaseId), CaseOrchestration.SignalEvent, signal, ct));
        });

        var next = new Dictionary<CaseKey, AssignEvents.Target>(known);
        foreach (var (key, target) in written)
        {
            next[key] = target;
        }

        return next;
    }

    private async Task FailAsync(ReportEntity report, string error, CancellationToken cancellationToken)
    {
        report.Status = ReportStatus.Failed;
        report.Error = Bound(error);
        await SaveAsync(report, cancellationToken);
        DeskMetrics.ReportFailed(report.ReporterId, report.Format);
        logger.LogWarning("Report {ReportId} failed as {Format}: {Error}", report.PartitionKey, report.Format, error);
    }

    private async Task IgnoreAsync(ReportEntity report, string reason, CancellationToken cancellationToken)
    {
        report.Status = ReportStatus.Ignored;
        // CONTRACT clients read why a report was not parsed from error, whatever the status; ignoredReason is derived from it.
        report.Error = Bound(reason);
        await SaveAsync(report, cancellationToken);
        logger.LogInformation("Report {ReportId} ignored: {Reason}", report.PartitionKey, reason);
    }

    private async Task<ReportEntity> SaveAsync(ReportEntity report, CancellationToken cancellationToken)
    {
        var response = await storage.Reports.UpdateEntityAsync(report, report.ETag, TableUpdateMode.Replace, cancellationToken);
        report.ETag = response.Headers.ETag ?? report.ETag;
        return report;
    }

    private static string? NotesOf(ReportEntity report, ReportReading reading) => Bound(report.UrlHostsNotLookedUp > 0
        ? $"{report.UrlHostsNotLookedUp} URL-only event(s) not looked up (their hosts were past the report's limit of distinct hosts); they stay unrouted\n{reading.Notes}".TrimEnd()
        : reading.Notes.ToString());

    private static string? Bound(string? text) => string.IsNullOrEmpty(text) ? null : text.Length <= 2000 ? text : text[..2000];

    private static EventEntity ToEntity(string partition, RoutedEvent routed, string? caseId) => new()
    {
        PartitionKey = partition,
        RowKey = EventEntity.RowKeyFor(routed.Index),
        Ip = routed.Event.Ip,
        Port = routed.Event.Port,
        Url = routed.Event.Url,
        AbuseClass = routed.Event.AbuseClass.ToWireName(),
        ReportType = routed.Event.ReportType,
        Severity = routed.Event.Severity.ToString().ToLowerInvariant(),
        OccurredAt = routed.Event.OccurredAt,
        Evidence = ReportEvent.BoundEvidence(routed.Event.Evidence),
        LowConfidence = routed.Event.LowConfidence,
        CustomerId = routed.Allocation?.CustomerId,
        ResourceId = routed.Allocation?.ResourceId,
        UnroutedReason = routed.UnroutedReason,
        CaseId = caseId,
    };
}
