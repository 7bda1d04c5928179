using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AbuseDesk.Functions.Intake;
using AbuseDesk.Functions.Storage;
using Azure.Storage.Blobs.Models;

namespace AbuseDesk.Functions.Tests.Hosting;

/// <summary>The two ways triggers reach the handlers: the Functions host's invocation requests, and the local runner.</summary>
[Collection(DeskCollection.Name)]
public sealed class CustomHandlerTests(DeskApp app)
{
    [Fact]
    public async Task A_queue_function_invoked_with_the_hosts_payload_does_its_work_and_answers_with_outputs_logs_and_return_value()
    {
        // Arrange a stored report the local runner knows nothing about: no reports-parse message exists for it.
        var content = ArfSamples.For("203.0.113.70");
        var hash = Convert.ToHexStringLower(SHA256.HashData(content));
        var reportId = "inv" + hash[..21];
        var blobName = $"sha256/{hash[..2]}/{hash}";
        await app.Storage.RawReports.GetBlobClient(blobName).UploadAsync(BinaryData.FromBytes(content), overwrite: true);
        await app.Storage.Reports.AddEntityAsync(new ReportEntity
        {
            PartitionKey = reportId,
            RowKey = ReportEntity.Row,
            ReporterId = app.ReporterId,
            BlobName = blobName,
            ContentType = "message/rfc822",
            Size = content.Length,
            ReceivedAt = DateTimeOffset.UtcNow,
        });

        var payload = new JsonObject
        {
            ["Data"] = new JsonObject { ["message"] = JsonSerializer.Serialize(new { reportId }) },
            ["Metadata"] = new JsonObject
            {
                ["DequeueCount"] = 1,
                ["Id"] = Guid.NewGuid().ToString(),
                ["sys"] = new JsonObject { ["MethodName"] = "ParseReport", ["UtcNow"] = DateTime.UtcNow.ToString("O") },
            },
        };
        using var response = await app.Http.PostAsync(new Uri("/ParseReport", UriKind.Relative), new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.ContainsKey("Outputs"));
        Assert.True(body.ContainsKey("Logs"));
        Assert.True(body.ContainsKey("ReturnValue"));
        var report = await app.OpsJsonAsync($"/api/ops/reports/{reportId}");
        Assert.Equal("parsed", report["status"]!.GetValue<string>());
        Assert.NotNull(report["events"]![0]!["caseId"]);
        Assert.Single(await app.CasesAsync("cust-invoke"));
    }

    [Fact]
    public async Task A_failing_invocation_answers_non_2xx_so_the_host_retries()
    {
        var payload = """{"Data":{"message":"{\"caseId\":\"no-such-case\",\"kind\":\"events-added\"}"},"Metadata":{"DequeueCount":1}}""";
        using var response = await app.Http.PostAsync(new Uri("/CaseWorkflow", UriKind.Relative), new StringContent(payload, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var logs = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["Logs"]!.AsArray();
        Assert.Contains(logs, l => l!.GetValue<string>().Contains("no-such-case", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_message_that_always_fails_lands_in_the_poison_queue_after_maxDequeueCount_tries()
    {
        var marker = Guid.NewGuid().ToString("N");
        var body = JsonSerializer.Serialize(new { caseId = $"poison-{marker}", kind = "never-valid" });
        await app.Storage.Queue(DeskStorage.CaseWorkflowQueue).SendMessageAsync(body);

        var poison = app.Storage.Queue(DeskStorage.CaseWorkflowQueue + "-poison");
        await Eventually.Async(async () =>
        {
            var peeked = await poison.PeekMessagesAsync(32);
            return peeked.Value.Any(m => m.Body.ToString().Contains(marker, StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(90), "the message in case-workflow-poison");

        // The runner logged one failure per try before moving it: exactly maxDequeueCount tries.
        var tries = app.Log.Split('\n').Count(l => l.Contains("CaseWorkflow failed (try", StringComparison.Ordinal) && l.Contains("poison", StringComparison.Ordinal) is false);
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
}
