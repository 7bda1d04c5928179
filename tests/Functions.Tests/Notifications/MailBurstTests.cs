using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Notifications;
using AbuseDesk.Functions.Storage;
using Xunit.Abstractions;

namespace AbuseDesk.Functions.Tests.Notifications;

/// <summary>
/// 500 stored mails enqueued at once, as the outbox does after a big report: every one arrives exactly once, and the
/// send times keep to the token bucket the app runs with (DeskApp.MailsPerMinute, DeskApp.MailBurst).
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class MailBurstTests(DeskApp app, ITestOutputHelper output)
{
    private const int Mails = 500;

    [Fact]
    public async Task A_burst_of_500_mails_goes_out_exactly_once_within_the_rate_limit()
    {
        var run = Guid.NewGuid().ToString("N")[..12];
        var caseId = $"burst-{run}";
        var domain = $"{run}.burst.test";
        var rows = Enumerable.Range(1, Mails).Select(i => MailDeliveryTests.Mail(caseId, $"m|{i:D6}", $"c{i}@{domain}")).ToList();
        foreach (var batch in rows.Chunk(100))
        {
            await app.Storage.Cases.SubmitTransactionAsync(batch.Select(r => new Azure.Data.Tables.TableTransactionAction(Azure.Data.Tables.TableTransactionActionType.Add, r)));
        }

        var queue = app.Storage.Queue(DeskStorage.EmailOutboxQueue);
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (row, token) => await queue.SendMessageAsync(Json.Serialize(new EmailRequest(caseId, row.RowKey)), token));

        List<MailEntity> sent = [];
        await Eventually.Async(async () =>
        {
            sent = [];
            await foreach (var row in app.Storage.Cases.QueryAsync<MailEntity>(m => m.PartitionKey == caseId))
            {
                sent.Add(row);
            }

            return sent.All(m => m.Status == SendEmail.Sent);
        }, TimeSpan.FromSeconds(240), $"all {Mails} burst mails to be sent (sent so far: {sent.Count(m => m.Status == SendEmail.Sent)})", TimeSpan.FromSeconds(2));

        // Exactly once at the receiving end: one delivery per mail, each its own Message-ID.
        var received = await app.Mail.MailsAsync(to => to.EndsWith("@" + domain, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(Mails, received.Count);
        Assert.Equal(Mails, received.Select(m => m["headers"]!["message-id"]!.GetValue<string>()).Distinct().Count());
        Assert.All(sent, m => Assert.Equal(1, m.Attempts));

        // The rate: a token bucket of B tokens refilled at r per second lets at most B + r·w mails start in any
        // window of w seconds. SentAt is taken after the SMTP hand-off, so a send's recorded time trails its token by
        // a variable SMTP and storage delay; Jitter allows for that spread.
        var rate = DeskApp.MailsPerMinute / 60.0;
        var times = sent.Select(m => m.SentAt!.Value).Order().ToArray();
        var jitter = TimeSpan.FromSeconds(1.5);
        foreach (var window in new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10) })
        {
            var most = MostInAnyWindow(times, window);
            var bound = (int)Math.Floor(DeskApp.MailBurst + (rate * (window + jitter).TotalSeconds));
            output.WriteLine($"burst: at most {most} sends in any {window.TotalSeconds:0} s window (bound {bound})");
            Assert.True(most <= bound, $"{most} sends within {window.TotalSeconds} s exceed the bucket's {bound}");
        }

        output.WriteLine($"burst: {Mails} mails from {times[0]:O} to {times[^1]:O} ({(times[^1] - times[0]).TotalSeconds:0.0} s) at {DeskApp.MailsPerMinute}/min, burst {DeskApp.MailBurst}");
    }

    private static int MostInAnyWindow(DateTimeOffset[] sorted, TimeSpan window)
    {
        var most = 0;
        var start = 0;
        for (var end = 0; end < sorted.Length; end++)
        {
            while (sorted[end] - sorted[start] >= window)
            {
                start++;
            }

            most = Math.Max(most, end - start + 1);
        }

        return most;
    }
}
