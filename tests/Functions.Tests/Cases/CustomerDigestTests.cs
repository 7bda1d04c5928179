using System.Net.Http.Json;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Storage;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Tests.Cases;

/// <summary>
/// News on open cases reaches the customer as one digest per customer per window (24 h in the test playbooks),
/// listing every case with news. The window is not waited out: the test moves the recorded notice times back
/// in Azurite, which is exactly what the passing of a day would have left there.
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class CustomerDigestTests(DeskApp app)
{
    private const string Customer = "cust-digest";
    private const string Inbox = "digest@customer.test";

    [Fact]
    public async Task News_on_several_cases_makes_one_digest_per_customer_per_window()
    {
        // Two cases, each told once.
        var first = await PostAsync(0, 1);
        var caseA = first[0];
        var caseB = first[1];
        await Eventually.Async(async () => (await NoticesAsync()).Count == 2, TimeSpan.FromSeconds(30), "two first notices");

        // A day passes for both cases, then both get news: ONE mail lists both.
        await BackdateCaseAsync(caseA);
        await BackdateCaseAsync(caseB);
        await PostAsync(0, 1);
        var digest = await OneDigestAsync(1);
        var text = digest["text"]!.GetValue<string>();
        Assert.Contains(caseA, text, StringComparison.Ordinal);
        Assert.Contains(caseB, text, StringComparison.Ordinal);
        Assert.Contains("/portal/cases/", text, StringComparison.Ordinal);
        await Eventually.Async(async () => await HasHistoryAsync(caseA, "digest-sent") && await HasHistoryAsync(caseB, "digest-sent"),
            TimeSpan.FromSeconds(30), "both cases to record the digest");

        // A third case has news within the customer's window: no second digest, a timer for the window's end.
        var caseC = (await PostAsync(2))[0];
        await Eventually.Async(async () => (await NoticesAsync()).Count == 3, TimeSpan.FromSeconds(30), "the third case's first notice");
        await BackdateCaseAsync(caseC);
        await PostAsync(2);
        CustomerDigestEntity? row = null;
        await Eventually.Async(async () => (row = await DigestRowAsync()).NextDueAt is not null, TimeSpan.FromSeconds(30), "the customer's next digest to be armed");
        Assert.True(row!.NextDueAt >= row.LastSentAt!.Value.AddHours(23), $"armed for the end of the window, not {row.NextDueAt:O}");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Single(await DigestsAsync());

        // The window ends: the digest orchestration's timer fires (here: ops restart it, once the row says the window has passed).
        row.LastSentAt = row.LastSentAt.Value.AddHours(-25);
        row.NextDueAt = DateTimeOffset.UtcNow;
        await app.Storage.Cases.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
        using (var restart = app.Ops(HttpMethod.Post, $"/api/ops/orchestrations/digest-{Customer}/restart"))
        {
            restart.Content = JsonContent.Create(new { actor = "digest-test" });
            using var restarted = await app.Http.SendAsync(restart);
            Assert.Equal(HttpStatusCode.Accepted, restarted.StatusCode);
        }

        var second = await OneDigestAsync(2);
        var secondText = second["text"]!.GetValue<string>();
        Assert.Contains(caseC, secondText, StringComparison.Ordinal);
        Assert.DoesNotContain(caseA, secondText, StringComparison.Ordinal);
        Assert.DoesNotContain(caseB, secondText, StringComparison.Ordinal);
    }

    private async Task<List<string>> PostAsync(params int[] resources)
    {
        var events = resources.Select(r =>
            $$"""{"ip":"2001:db8:16:{{r}}::7","abuseClass":"scanning","reportType":"digest-scan","occurredAt":"2026-11-20T10:00:00Z","evidence":"{{Guid.NewGuid():N}}"}""");
        using var posted = await app.PostReportAsync(Encoding.UTF8.GetBytes($$"""{"events":[{{string.Join(",", events)}}]}"""), "application/json");
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var report = await app.WaitForReportAsync(JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>());
        return report["events"]!.AsArray().Select(e => e!["caseId"]!.GetValue<string>()).ToList();
    }

    /// <summary>What a day without news leaves on a case row: its last notice a day back.</summary>
    private async Task BackdateCaseAsync(string caseId)
    {
        await Eventually.Async(async () =>
        {
            var row = (await app.Storage.Cases.GetEntityAsync<CaseEntity>(caseId, CaseEntity.Row)).Value;
            if (row.LastNoticeAt is null)
            {
                return false;
            }

            row.LastNoticeAt = row.LastNoticeAt.Value.AddHours(-25);
            try
            {
                await app.Storage.Cases.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
                return true;
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 412)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), $"case {caseId} to be notified and backdated");
    }

    private async Task<CustomerDigestEntity> DigestRowAsync() =>
        (await app.Storage.Cases.GetEntityIfExistsAsync<CustomerDigestEntity>(SendCustomerDigest.PartitionFor(Customer), CustomerDigestEntity.Row)) is { HasValue: true } found
            ? found.Value!
            : new CustomerDigestEntity();

    private async Task<bool> HasHistoryAsync(string caseId, string what) =>
        (await app.OpsJsonAsync($"/api/ops/cases/{caseId}"))["history"]!.AsArray().Any(h => h!["what"]!.GetValue<string>() == what);

    private async Task<List<JsonNode>> NoticesAsync() =>
        (await app.Mail.MailsToAsync(Inbox)).Where(m => m["subject"]!.GetValue<string>().Contains("[AbuseDesk #", StringComparison.Ordinal)).ToList();

    private async Task<List<JsonNode>> DigestsAsync() =>
        (await app.Mail.MailsToAsync(Inbox)).Where(m => !m["subject"]!.GetValue<string>().Contains("[AbuseDesk #", StringComparison.Ordinal)).ToList();

    /// <summary>Waits for the n-th digest, then makes sure no other one follows it.</summary>
    private async Task<JsonNode> OneDigestAsync(int n)
    {
        await Eventually.Async(async () => (await DigestsAsync()).Count >= n, TimeSpan.FromSeconds(30), $"digest {n}");
        await Task.Delay(TimeSpan.FromSeconds(3));
        var digests = await DigestsAsync();
        Assert.Equal(n, digests.Count);
        return digests[^1];
    }
}
