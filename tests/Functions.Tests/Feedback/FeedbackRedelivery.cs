using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Feedback;
using AbuseDesk.Functions.Notifications;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Tests.Feedback;

/// <summary>Every message that could ever have carried a reporter's gathered feedback, sent once more, on every queue it could be on.</summary>
public static class FeedbackRedelivery
{
    /// <summary>Returns how many stored feedback mails the reporter has.</summary>
    public static async Task<int> RedeliverAllAsync(DeskApp app, string reporterId)
    {
        var partition = FeedbackBatchEntity.PartitionFor(reporterId);
        var batch = (await app.Storage.Cases.GetEntityAsync<FeedbackBatchEntity>(partition, FeedbackBatchEntity.Row)).Value;
        var mails = 0;
        for (var n = 1; n <= batch.Open; n++)
        {
            await app.Storage.Queue(DeskStorage.ReporterFeedbackQueue).SendMessageAsync(ReporterFeedbackMessage.ForWindow(reporterId, n, DateTimeOffset.UtcNow.AddMinutes(-1)));
            var mailRow = FeedbackBatchEntity.MailRow(n);
            if ((await app.Storage.Cases.GetEntityIfExistsAsync<MailEntity>(partition, mailRow)).HasValue)
            {
                mails++;
                var request = Json.Serialize(new EmailRequest(partition, mailRow));
                await app.Storage.Queue(DeskStorage.FeedbackOutboxQueue).SendMessageAsync(request);
                await app.Storage.Queue(DeskStorage.EmailOutboxQueue).SendMessageAsync(request);
            }
        }

        return mails;
    }
}
