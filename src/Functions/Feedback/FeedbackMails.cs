using AbuseDesk.Domain.Notifications;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Notifications;
using AbuseDesk.Functions.Storage;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Feedback;

/// <summary>
/// Stores a reporter mail the way cases store theirs — a mail row and its email-outbox row in one transaction — so
/// SendEmail's rate limit, claim and retries apply and SweepOutbox recovers a send a crash interrupted. The keys are
/// fixed per report and kind, so a second attempt finds them and only makes sure the first one's message went out.
/// </summary>
public sealed class FeedbackMails(DeskStorage storage, CaseTransitions transitions)
{
    public const string MailKindPrefix = "Reporter";

    /// <summary>Where a reporter's feedback goes: only to reporters who asked for it, still hold a key and gave an address.</summary>
    public static string? Recipient(Intake.ReporterEntity? reporter) =>
        reporter is { WantsFeedback: true, Revoked: false, ContactEmail: { } to } && !string.IsNullOrWhiteSpace(to) ? to.Trim() : null;

    public async Task<bool> ExistsAsync(string reportId, string kind, CancellationToken cancellationToken)
    {
        var partition = ReportFeedbackEntity.PartitionFor(reportId);
        return (await storage.Cases.GetEntityIfExistsAsync<MailEntity>(partition, RowKeys.Own(partition, MailEntity.Prefix + kind), select: ["RowKey"], cancellationToken: cancellationToken)).HasValue;
    }

    /// <summary>Adds the mail (with <paramref name="alongside"/>, e.g. the feedback row) and sends it; false if it already existed.</summary>
    public async Task<bool> AddAsync(string reportId, string kind, string to, MailContent content, IEnumerable<ITableEntity> alongside, CancellationToken cancellationToken)
    {
        var partition = ReportFeedbackEntity.PartitionFor(reportId);
        var mail = new MailEntity
        {
            PartitionKey = partition,
            RowKey = RowKeys.Own(partition, MailEntity.Prefix + kind),
            Kind = MailKindPrefix + char.ToUpperInvariant(kind[0]) + kind[1..],
            To = to,
            Subject = content.Subject,
            TextBody = content.Text,
            HtmlBody = content.Html,
            MessageId = $"report.{reportId}.{kind}",
        };
        var outbox = new OutboxEntity
        {
            PartitionKey = partition,
            RowKey = RowKeys.Own(partition, OutboxEntity.Prefix + kind),
            Queue = DeskStorage.EmailOutboxQueue,
            Body = Json.Serialize(new EmailRequest(partition, mail.RowKey)),
        };
        var actions = alongside.Append(mail).Append(outbox).Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)).ToList();
        try
        {
            var responses = (await storage.Cases.SubmitTransactionAsync(actions, cancellationToken)).Value;
            outbox.ETag = responses[^1].Headers.ETag ?? Azure.ETag.All;
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            // Another delivery stored it first: make sure its message left, in case that delivery died before sending.
            await SendIfUnsentAsync(reportId, kind, cancellationToken);
            return false;
        }

        await transitions.SendAsync(outbox, cancellationToken);
        return true;
    }

    public async Task SendIfUnsentAsync(string reportId, string kind, CancellationToken cancellationToken)
    {
        var item = await storage.Cases.GetEntityIfExistsAsync<OutboxEntity>(ReportFeedbackEntity.PartitionFor(reportId), RowKeys.Own(ReportFeedbackEntity.PartitionFor(reportId), OutboxEntity.Prefix + kind), cancellationToken: cancellationToken);
        if (item.HasValue && !item.Value!.Sent)
        {
            await transitions.SendAsync(item.Value, cancellationToken);
        }
    }
}
