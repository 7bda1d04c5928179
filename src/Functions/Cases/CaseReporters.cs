using AbuseDesk.Domain.Cases;
using AbuseDesk.Functions.Intake;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Cases;

/// <summary>
/// Who reported a case, for the customer's message to them: the reports its events came from (the event link rows),
/// their reporters, and of those the ones that asked for feedback and left an address. A reporter that asked for
/// none is counted, so the customer can be told why nothing was passed on.
/// </summary>
public sealed class CaseReporters(DeskStorage storage, Reporters reporters)
{
    /// <summary>Reporters one message goes to at most: each is a mail and an outbox row in the case's one transaction.</summary>
    public const int MaxRelayed = 20;

    public const string RelayKind = "RelayToReporter";

    public async Task<ReporterReach> ReachAsync(string caseId, CancellationToken cancellationToken)
    {
        var reportIds = new HashSet<string>(StringComparer.Ordinal);
        var to = KeyRange.After(CaseEventLinkEntity.Prefix);
        await foreach (var link in storage.Cases.QueryAsync<CaseEventLinkEntity>(
            e => e.PartitionKey == caseId && e.RowKey.CompareTo(CaseEventLinkEntity.Prefix) >= 0 && e.RowKey.CompareTo(to) < 0,
            select: [nameof(CaseEventLinkEntity.ReportId)], cancellationToken: cancellationToken))
        {
            reportIds.Add(link.ReportId);
        }

        var reporterIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reportId in reportIds)
        {
            var report = await storage.Reports.GetEntityIfExistsAsync<ReportEntity>(reportId, ReportEntity.Row, select: [nameof(ReportEntity.ReporterId)], cancellationToken: cancellationToken);
            if (report.HasValue)
            {
                reporterIds.Add(report.Value!.ReporterId);
            }
        }

        var writable = new List<ReporterContact>();
        var declined = 0;
        foreach (var reporterId in reporterIds.Order(StringComparer.Ordinal))
        {
            var reporter = await reporters.FindAsync(reporterId, cancellationToken);
            if (reporter is null || reporter.Revoked || reporterId == MailSenders.PublicReporterId)
            {
                continue;
            }

            if (!reporter.WantsFeedback)
            {
                declined++;
            }
            else if (!string.IsNullOrEmpty(reporter.ContactEmail))
            {
                writable.Add(new ReporterContact(reporterId, reporter.ContactEmail));
            }
        }

        return new ReporterReach(writable, declined);
    }
}
