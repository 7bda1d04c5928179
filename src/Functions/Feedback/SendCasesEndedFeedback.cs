using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Feedback;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Intake;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Feedback;

/// <summary>
/// reporter-feedback "case-ended": a case was resolved, closed or terminated (the case outbox queues this in the same
/// commit). Every report that fed the case is checked: once ALL the cases of a report have ended, its reporter gets
/// the news of how they ended, in the next mail gathering their feedback. Once per report, ever — a case reopened and ended again adds nothing — so a report
/// feeding ten cases yields one mail, not ten.
/// </summary>
public sealed class SendCasesEndedFeedback(
    DeskStorage storage,
    Reporters reporters,
    FeedbackMails mails,
    ILogger<SendCasesEndedFeedback> logger)
{
    /// <summary>Reports looked at per ended case; a case fed by more (a long-running feed) leaves the rest unmailed.</summary>
    public const int MaxReportsPerCase = 1000;

    private static readonly string LinksEnd = KeyRange.After(CaseEventLinkEntity.Prefix);

    public async Task RunAsync(string caseId, CancellationToken cancellationToken)
    {
        var reportIds = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var link in storage.Cases.QueryAsync<CaseEventLinkEntity>(
            l => l.PartitionKey == caseId && l.RowKey.CompareTo(CaseEventLinkEntity.Prefix) >= 0 && l.RowKey.CompareTo(LinksEnd) < 0,
            select: [nameof(CaseEventLinkEntity.ReportId)], cancellationToken: cancellationToken))
        {
            if (reportIds.Add(link.ReportId) && reportIds.Count >= MaxReportsPerCase)
            {
                logger.LogWarning("Case {CaseId} was fed by more than {Max} reports; feedback checks only those", caseId, MaxReportsPerCase);
                break;
            }
        }

        foreach (var reportId in reportIds)
        {
            await TryFinishReportAsync(reportId, cancellationToken);
        }
    }

    /// <summary>Sends the report's "all ended" mail if its reporter wants feedback and every case it fed has ended.</summary>
    public async Task TryFinishReportAsync(string reportId, CancellationToken cancellationToken)
    {
        var found = await storage.Cases.GetEntityIfExistsAsync<ReportFeedbackEntity>(ReportFeedbackEntity.PartitionFor(reportId), ReportFeedbackEntity.Row, cancellationToken: cancellationToken);
        // No row: the reporter wanted no feedback, or the parsed mail is not stored yet (its handler checks after storing).
        if (!found.HasValue || found.Value is not { CasesComplete: true } row || row.CaseIds().Count == 0)
        {
            return;
        }

        if (await mails.FindAsync(row.ReporterId, reportId, ReportFeedbackEntity.Ended, cancellationToken) is { } gathered)
        {
            await mails.EnsureQueuedAsync(row.ReporterId, gathered, cancellationToken);
            return;
        }

        var cases = new System.Collections.Concurrent.ConcurrentBag<CaseState>();
        await Parallel.ForEachAsync(row.CaseIds(), Parallelism.For(cancellationToken), async (caseId, ct) =>
        {
            if (await CaseEntity.LoadAsync(storage.Cases, caseId, ct) is { } entity)
            {
                cases.Add(entity.ToState());
            }
        });
        if (cases.IsEmpty || cases.Any(c => c.Status.IsOpen()))
        {
            return;
        }

        // Asked again now: a reporter may have turned feedback off since the report came in.
        if (FeedbackMails.Recipient(await reporters.FindAsync(row.ReporterId, cancellationToken)) is null)
        {
            return;
        }

        var section = ReporterMail.CasesEndedSection(new ReportCasesEndedFacts(new ReportFacts(reportId, row.ReceivedAt, row.FileName), [.. cases]));
        if (await mails.GatherAsync(row.ReporterId, ReportFeedbackEntity.Ended, section, cancellationToken))
        {
            logger.LogInformation("Report {ReportId}: all {Cases} case(s) ended; feedback gathered for its reporter", reportId, cases.Count);
        }
    }
}
