using System.Net;
using System.Text.Json.Nodes;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Tests.Ops;

[Collection(DeskCollection.Name)]
public sealed class PoisonRequeueTests(DeskApp app)
{
    [Fact]
    public async Task A_poison_message_is_shown_escaped_and_requeued_to_its_source_queue()
    {
        // A parse request for a report already parsed: requeued, ParseReport takes it and finds nothing to do.
        var reportId = (await app.WaitForReportAsync(await app.PostEventAsync("192.0.2.90", "spam", "poison-test")))["reportId"]!.GetValue<string>();
        var body = $$"""{"reportId":"{{reportId}}","note":"<script>alert(1)</script>"}""";
        var poison = app.Storage.Queue(DeskStorage.ReportsParseQueue + "-poison");
        var sent = (await poison.SendMessageAsync(body)).Value;

        using (var request = app.Ops(HttpMethod.Get, "/api/ops/poison?queue=reports-parse"))
        using (var response = await app.Http.SendAsync(request))
        {
            var raw = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("<script>", raw, StringComparison.Ordinal);
            var shown = Assert.Single(JsonNode.Parse(raw)!["messages"]!.AsArray(), m => m!["messageId"]!.GetValue<string>() == sent.MessageId);
            Assert.Equal(body, shown!["bodyPreview"]!.GetValue<string>());
            Assert.Equal("reports-parse-poison", shown["queue"]!.GetValue<string>());
            Assert.NotNull(shown["insertedOn"]);
        }

        var (requeued, result) = await app.SendAsync(HttpMethod.Post, $"/api/ops/poison/reports-parse/{sent.MessageId}/requeue", new { actor = "alice", reason = "parser fixed" });
        Assert.Equal(HttpStatusCode.OK, requeued.StatusCode);
        Assert.Equal("reports-parse", result!["to"]!.GetValue<string>());
        var left = (await poison.PeekMessagesAsync(32)).Value;
        Assert.DoesNotContain(left, m => m.MessageId == sent.MessageId);
        Assert.DoesNotContain(left, m => m.Body.ToString() == body);

        // The app's ParseReport handled it (a no-op for a parsed report) instead of poisoning it again.
        await Eventually.Async(async () =>
            !(await app.Storage.Queue(DeskStorage.ReportsParseQueue).PeekMessagesAsync(32)).Value.Any(m => m.Body.ToString() == body),
            TimeSpan.FromSeconds(30), "the requeued message to be handled");
        Assert.DoesNotContain((await poison.PeekMessagesAsync(32)).Value, m => m.Body.ToString() == body);
        Assert.Equal("parsed", (await app.OpsJsonAsync($"/api/ops/reports/{reportId}"))["status"]!.GetValue<string>());

        // Idempotent: the same requeue again finds nothing.
        var (again, problem) = await app.SendAsync(HttpMethod.Post, $"/api/ops/poison/reports-parse/{sent.MessageId}/requeue", new { actor = "alice" });
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains(sent.MessageId, problem.Detail());
    }

    [Fact]
    public async Task Requeue_of_an_unknown_queue_is_404_and_peek_checks_its_queue()
    {
        var (response, _) = await app.SendAsync(HttpMethod.Post, "/api/ops/poison/no-such-queue/abc/requeue", new { actor = "alice" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var (peek, problem) = await app.SendAsync(HttpMethod.Get, "/api/ops/poison?queue=no-such-queue");
        Assert.Equal(HttpStatusCode.BadRequest, peek.StatusCode);
        Assert.Contains("'queue'", problem.Detail());
    }
}
