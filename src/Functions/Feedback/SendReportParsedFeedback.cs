using AbuseDesk.Domain.Feedback;
using AbuseDesk.Functions.Intake;
using AbuseDesk.Functions.Parsing;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Feedback;

/// <summary>
/// reporter-feedback "report-settled": once a report is parsed or failed, a reporter who asked for feedback is told
/// (in the next mail gathering their feedback, <see cref="FeedbackMails"/>) what it came to — events, how many reached our customers, which were not ours and why, or why it could
/// not be read. The same commit records which cases the report fed, for the "all ended" mail; then, in case they all
/// ended already, that is checked too. A report is summarised once: a redelivery or a reparse finds its item stored.
/// </summary>
public sealed class SendReportParsedFeedback(
    DeskStorage storage,
    ReportQueries reports,
    Reporters reporters,
    FeedbackMails mails,
    SendCasesEndedFeedback ended,
    ILogger<SendReportParsedFeedback> logger)
{
    /// <summary>Event rows read for the reasons and the cases; the report row's counts are exact regardless.</summary>
    public const int MaxEventsScanned = 20_000;

    /// <summary>A report feeding more cases than this gets no "all ended" mail: following them all costs more than it tells.</summary>
    public const int MaxCasesFollowed = 100;

    public async Task RunAsync(string reportId, CancellationToken cancellationToken)
    {
        var report = await reports.FindAsync(reportId, cancellationToken);
        if (report is null || report.Status == ReportStatus.Received)
        {
            // Not settled yet: the parse sends its own message when it is.
            return;
        }

        if (report.Status == ReportStatus.Ignored)
        {
            // A bounce or an auto-reply is no report: "thank you for your report" about it would be mail about nothing.
            return;
        }

        if (FeedbackMails.Recipient(await reporters.FindAsync(report.ReporterId, cancellationToken)) is not { } to)
        {
            return;
        }

        if (await mails.FindAsync(report.ReporterId, reportId, ReportFeedbackEntity.Parsed, cancellationToken) is { } gathered)
        {
            await mails.EnsureQueuedAsync(report.ReporterId, gathered, cancellationToken);
        }
        else
        {
            var (reasons, cases, scanned) = await ScanAsync(reportId, cancellationToken);
            var complete = scanned >= report.EventCount && cases.Count <= MaxCasesFollowed;
            var facts = new ReportFacts(reportId, report.ReceivedAt, report.FileName);
            var section = ReporterMail.ParsedSection(new ReportParsedFacts(
                facts,
                Failed: report.Status == ReportStatus.Failed,
                report.Error,
                report.EventCount,
                report.RoutedCount,
                report.UnroutedCount,
                CaseCount: scanned >= report.EventCount ? cases.Count : null,
                reasons.Select(r => new ReasonCount(r.Key, r.Value)).ToList(),
                ReasonsSampled: scanned < report.EventCount,
                FollowUp: complete));
            var row = new ReportFeedbackEntity
            {
                PartitionKey = ReportFeedbackEntity.PartitionFor(reportId),
                RowKey = ReportFeedbackEntity.Row,
                ReportId = reportId,
                ReporterId = report.ReporterId,
                ReceivedAt = report.ReceivedAt,
                FileName = report.FileName,
                Cases = complete ? string.Join("\n", cases.Order(StringComparer.Ordinal)) : null,
                CasesComplete = complete,
            };
            // The row first: a case that ends from now on finds it. A redelivery after a crash here finds it too and keeps it.
            try
            {
                await storage.Cases.AddEntityAsync(row, cancellationToken);
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 409)
            {
            }

            if (await mails.GatherAsync(report.ReporterId, ReportFeedbackEntity.Parsed, section, cancellationToken))
            {
                logger.LogInformation("Report {ReportId}: parsed feedback gathered for its reporter ({Cases} case(s) followed)", reportId, complete ? cases.Count : 0);
            }
        }

        // A case may have ended before this row listed it; its own message then found nothing to finish.
        await ended.TryFinishReportAsync(reportId, cancellationToken);
    }

    private async Task<(Dictionary<string, int> Reasons, HashSet<string> Cases, int Scanned)> ScanAsync(string reportId, CancellationToken cancellationToken)
    {
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        var cases = new HashSet<string>(StringComparer.Ordinal);
        var scanned = 0;
        var (from, to) = EventEntity.PartitionsOf(reportId);
        await foreach (var e in storage.Events.QueryAsync<EventEntity>(
            e => e.PartitionKey.CompareTo(from) >= 0 && e.PartitionKey.CompareTo(to) < 0,
            maxPerPage: 1000, select: [nameof(EventEntity.CaseId), nameof(EventEntity.UnroutedReason)], cancellationToken: cancellationToken))
        {
            if (e.CaseId is { } caseId)
            {
                cases.Add(caseId);
            }
            else if (e.UnroutedReason is { } reason)
            {
                var code = UnroutedReasons.CodeOf(reason);
                reasons[code] = reasons.GetValueOrDefault(code) + 1;
            }

            if (++scanned >= MaxEventsScanned)
            {
                break;
            }
        }

        return (reasons, cases, scanned);
    }
}
