using System.Text.Json;
using AbuseDesk.Functions.Storage;
using Azure.Storage.Blobs.Models;

namespace AbuseDesk.Functions.Tests.Hosting;

/// <summary>The dev host runs the triggers with the Functions host's semantics: retries, poison queues, blob drops, orchestrations.</summary>
[Collection(DeskCollection.Name)]
public sealed class DevHostTests(DeskApp app)
{
    [Fact]
    public async Task A_message_that_always_fails_lands_in_the_poison_queue_after_maxDequeueCount_tries()
    {
        var marker = Guid.NewGuid().ToString("N");
        // A parse request for a report that does not exist: ParseReport fails on it every time.
        var body = JsonSerializer.Serialize(new { reportId = $"poison-{marker}" });
        await app.Storage.Queue(DeskStorage.ReportsParseQueue).SendMessageAsync(body);

        var poison = app.Storage.Queue(DeskStorage.ReportsParseQueue + "-poison");
        await Eventually.Async(async () =>
        {
            var peeked = await poison.PeekMessagesAsync(32);
            return peeked.Value.Any(m => m.Body.ToString().Contains(marker, StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(90), "the message in reports-parse-poison");

        // The runner logged one failure per try before moving it: exactly maxDequeueCount tries.
        var tries = app.Log.Split('\n').Count(l => l.Contains("ParseReport failed (try", StringComparison.Ordinal));
        Assert.Contains($"failed {DeskApp.MaxDequeueCount} times; moving message", app.Log);
        Assert.True(tries >= DeskApp.MaxDequeueCount - 1, $"expected {DeskApp.MaxDequeueCount - 1} retried failures before poisoning, saw {tries}");
    }

    [Fact]
    public async Task A_report_dropped_in_the_inbox_container_is_taken_in_like_a_post()
    {
        var blob = app.Storage.Inbox.GetBlobClient($"{app.ReporterId}/{Guid.NewGuid():N}.eml");
        await blob.UploadAsync(BinaryData.FromBytes(ArfSamples.For("203.0.113.130")), new BlobUploadOptions());

        await Eventually.Async(async () => (await app.CasesAsync("cust-blob")).Count == 1, TimeSpan.FromSeconds(30), "a case from the dropped report");
        await Eventually.Async(async () => !(await blob.ExistsAsync()).Value, TimeSpan.FromSeconds(10), "the inbox blob to be removed");
    }

    [Fact]
    public async Task A_platform_call_refused_twice_is_delivered_on_the_third_try_by_its_orchestration()
    {
        var marker = "retry-" + Guid.NewGuid().ToString("N");
        app.Platform.Refuse[marker] = 2;
        await app.Storage.Queue(DeskStorage.PlatformWebhookQueue).SendMessageAsync(JsonSerializer.Serialize(new { kind = "suspend", caseId = marker }));

        await Eventually.Async(() => Task.FromResult(app.Platform.Refuse[marker] == 0 && Calls(marker) == 3), TimeSpan.FromSeconds(60), "three calls, the last accepted");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(3, Calls(marker));
        Assert.False(await InPoisonAsync(marker));
    }

    [Fact]
    public async Task A_platform_call_refused_every_time_is_set_aside_on_the_poison_queue_after_its_attempts()
    {
        var marker = "refused-" + Guid.NewGuid().ToString("N");
        app.Platform.Refuse[marker] = -1;
        await app.Storage.Queue(DeskStorage.PlatformWebhookQueue).SendMessageAsync(JsonSerializer.Serialize(new { kind = "suspend", caseId = marker }));

        await Eventually.Async(() => InPoisonAsync(marker), TimeSpan.FromSeconds(90), "the refused call on platform-webhook-poison");
        Assert.Equal(DeskApp.WebhookAttempts, Calls(marker));
    }

    private int Calls(string marker) => app.Platform.Calls.Count(c => c.Body.Contains(marker, StringComparison.Ordinal));

    private async Task<bool> InPoisonAsync(string marker)
    {
        var peeked = await app.Storage.Queue(DeskStorage.PlatformWebhookQueue + "-poison").PeekMessagesAsync(32);
        return peeked.Value.Any(m => m.Body.ToString().Contains(marker, StringComparison.Ordinal));
    }
}
