using AbuseDesk.Functions.Parsing;
using AbuseDesk.Functions.Storage;
using Azure;

namespace AbuseDesk.Functions.Intake;

/// <summary>Reads reports and their events for the reporter and ops routes.</summary>
public sealed class ReportQueries(DeskStorage storage)
{
    public async Task<ReportEntity?> FindAsync(string reportId, CancellationToken cancellationToken)
    {
        if (reportId.Length is 0 or > 64 || !reportId.All(char.IsAsciiLetterOrDigit))
        {
            return null;
        }

        try
        {
            return (await storage.Reports.GetEntityAsync<ReportEntity>(reportId, ReportEntity.Row, cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task<List<EventEntity>> EventsAsync(string reportId, int limit, CancellationToken cancellationToken)
    {
        var events = new List<EventEntity>();
        // A report's events span the partitions "{reportId}-{chunk}": one key range.
        var (from, to) = EventEntity.PartitionsOf(reportId);
        await foreach (var row in storage.Events.QueryAsync<EventEntity>(e => e.PartitionKey.CompareTo(from) >= 0 && e.PartitionKey.CompareTo(to) < 0, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            events.Add(row);
            if (events.Count >= limit)
            {
                break;
            }
        }

        return events;
    }

    /// <summary>What DNS answered for the hosts of the report's URL-only events, by host (recorded by its first pass).</summary>
    public async Task<IReadOnlyDictionary<string, Domain.Cases.HostAnswer>> HostAnswersAsync(string reportId, CancellationToken cancellationToken)
    {
        var answers = new SortedDictionary<string, Domain.Cases.HostAnswer>(StringComparer.Ordinal);
        var to = KeyRange.After(HostAnswerEntity.RowPrefix);
        await foreach (var row in storage.Reports.QueryAsync<HostAnswerEntity>(
            e => e.PartitionKey == reportId && e.RowKey.CompareTo(HostAnswerEntity.RowPrefix) >= 0 && e.RowKey.CompareTo(to) < 0, cancellationToken: cancellationToken))
        {
            answers[row.Host] = row.ToAnswer();
        }

        return answers;
    }

    /// <summary>The CONTRACT shape of GET /api/reports/{id}.</summary>
    public static Dictionary<string, object?> Status(ReportEntity report) => new()
    {
        ["reportId"] = report.PartitionKey,
        ["status"] = report.Status,
        ["format"] = report.Format,
        ["receivedAt"] = report.ReceivedAt.ToUniversalTime(),
        ["eventCount"] = report.EventCount,
        ["routedCount"] = report.RoutedCount,
        ["unroutedCount"] = report.UnroutedCount,
        ["error"] = report.Error,
        ["ignoredReason"] = report.IgnoredReason,
        ["notes"] = report.Notes,
        // Only for a report read from the abuse mailbox: who sent it and whether DKIM or SPF vouched for that.
        ["mail"] = report.MailFrom is null && report.MailVerdict is null ? null : new Dictionary<string, object?>
        {
            ["from"] = report.MailFrom,
            ["authenticated"] = report.MailAuthenticated ?? false,
            ["verdict"] = report.MailVerdict,
        },
    };
}
