using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AbuseDesk.Functions.Intake;
using AbuseDesk.Functions.Tests.Ops;
using Azure.Storage.Blobs.Models;

namespace AbuseDesk.Functions.Tests.Intake;

/// <summary>
/// The inbox container honours revocation like <c>POST /api/reports</c> does: a drop under an unknown or revoked
/// reporter's folder is not taken in, is logged with the blob name and reason, and waits for ops in
/// reports-inbox-refused (<c>GET /api/ops/queues/refused-drops</c>); a valid reporter's drop goes on as before.
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class RefusedDropTests(DeskApp app)
{
    [Fact]
    public async Task Drops_of_unknown_and_revoked_reporters_are_refused_for_ops_and_a_valid_drop_is_still_taken_in()
    {
        var revokedId = await RevokedReporterAsync();
        var unknownId = $"rep-unknown{Guid.NewGuid():N}"[..24];
        // Unallocated addresses: even a wrongly accepted report would open no case for another test's customer.
        var revoked = await DropAsync(revokedId, "2001:db8:ffff::101");
        var unknown = await DropAsync(unknownId, "2001:db8:ffff::102");
        var valid = await DropAsync(app.ReporterId, "2001:db8:ffff::103");

        // The valid drop is taken in exactly like a POST, in the same run of the blob trigger.
        await Eventually.Async(async () =>
        {
            var (response, _) = await app.SendAsync(HttpMethod.Get, $"/api/ops/reports/{valid.ReportId}");
            using (response)
            {
                return response.IsSuccessStatusCode;
            }
        }, TimeSpan.FromSeconds(30), $"report {valid.ReportId} from the valid drop");
        var report = await app.WaitForReportAsync(valid.ReportId);
        Assert.Equal("parsed", report["status"]!.GetValue<string>());
        Assert.Equal(app.ReporterId, report["reporterId"]!.GetValue<string>());

        // The refused ones are visible to ops, with the reason, under their original names.
        JsonNode? refusedRevoked = null;
        JsonNode? refusedUnknown = null;
        await Eventually.Async(async () =>
        {
            refusedRevoked = await app.FindInPagesAsync("/api/ops/queues/refused-drops?limit=1000", "drops", d => d["name"]!.GetValue<string>() == revoked.Name);
            refusedUnknown = await app.FindInPagesAsync("/api/ops/queues/refused-drops?limit=1000", "drops", d => d["name"]!.GetValue<string>() == unknown.Name);
            return refusedRevoked is not null && refusedUnknown is not null;
        }, TimeSpan.FromSeconds(30), "both refused drops in /api/ops/queues/refused-drops");

        Assert.Equal(RefusedDrops.RevokedReporter, refusedRevoked!["reason"]!.GetValue<string>());
        Assert.Equal(revokedId, refusedRevoked["reporterId"]!.GetValue<string>());
        Assert.Equal(revoked.Bytes.Length, refusedRevoked["size"]!.GetValue<long>());
        Assert.NotNull(refusedRevoked["refusedAt"]);
        Assert.Equal(RefusedDrops.UnknownReporter, refusedUnknown!["reason"]!.GetValue<string>());
        Assert.Equal(unknownId, refusedUnknown["reporterId"]!.GetValue<string>());
        Assert.True((await app.OpsJsonAsync("/api/ops/queues"))["work"]!["refused-drops"]!.GetValue<int>() >= 2);

        // Kept byte for byte for ops, and gone from the inbox, which only shows what is still to do.
        var kept = app.Storage.Blobs.GetBlobContainerClient(RefusedDrops.Container).GetBlobClient(revoked.Name);
        Assert.Equal(revoked.Bytes, (await kept.DownloadContentAsync()).Value.Content.ToArray());
        Assert.False((await app.Storage.Inbox.GetBlobClient(revoked.Name).ExistsAsync()).Value);
        Assert.False((await app.Storage.Inbox.GetBlobClient(unknown.Name).ExistsAsync()).Value);

        // No report exists for either: not over the ops API, not in the reports table, not as raw evidence.
        foreach (var drop in new[] { revoked, unknown })
        {
            var (response, _) = await app.SendAsync(HttpMethod.Get, $"/api/ops/reports/{drop.ReportId}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            response.Dispose();
        }

        await foreach (var row in app.Storage.Reports.QueryAsync<ReportEntity>(r => r.ReporterId == revokedId || r.ReporterId == unknownId))
        {
            Assert.Fail($"report {row.PartitionKey} was taken in from {row.ReporterId}");
        }

        // The log says which blob and why. It must be Warning or above: the tests run the app with
        // Logging__LogLevel__Default=Warning, so an Information line never reaches app.Log. And it is waited for,
        // not read once: "no report" above is true from the start, before the blob runner has even listed the blob.
        await Eventually.Async(() => Task.FromResult(
                app.Log.Contains($"Inbox blob {revoked.Name} refused: reporter revoked", StringComparison.Ordinal)
                && app.Log.Contains($"Inbox blob {unknown.Name} refused: reporter unknown", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the refusals in the app's log");
    }

    [Fact]
    public async Task The_refused_drops_list_pages_and_needs_the_ops_key()
    {
        using var anonymous = await app.Http.GetAsync(new Uri("/api/ops/queues/refused-drops", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var (badLimit, problem) = await app.SendAsync(HttpMethod.Get, "/api/ops/queues/refused-drops?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.Contains("limit", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        badLimit.Dispose();
    }

    private sealed record Drop(string Name, string ReportId, byte[] Bytes);

    private async Task<Drop> DropAsync(string reporterId, string ip)
    {
        var bytes = Encoding.UTF8.GetBytes($$"""{"events":[{"ip":"{{ip}}","abuseClass":"spam","reportType":"inbox-drop","occurredAt":"2026-11-20T10:00:00Z","evidence":"drop {{Guid.NewGuid():N}}"}]}""");
        var name = $"{reporterId}/{Guid.NewGuid():N}.json";
        await app.Storage.Inbox.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(bytes), new BlobUploadOptions());
        return new Drop(name, ReportIdOf(reporterId, bytes), bytes);
    }

    /// <summary>The id the desk would give these bytes from this reporter (AcceptReport: reporter and content hash).</summary>
    private static string ReportIdOf(string reporterId, byte[] bytes)
    {
        var contentHash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{reporterId}\n{contentHash}")), 0, 12);
    }

    private async Task<string> RevokedReporterAsync()
    {
        using var create = app.Ops(HttpMethod.Post, "/api/ops/reporters");
        create.Content = JsonContent.Create(new { name = "Leaky pipeline", actor = "alice" });
        using var created = await app.Http.SendAsync(create);
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var reporterId = body["reporterId"]!.GetValue<string>();

        var (revoked, _) = await app.SendAsync(HttpMethod.Post, $"/api/ops/reporters/{reporterId}/revoke", new { actor = "alice", reason = "key posted in a public repo" });
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        revoked.Dispose();
        return reporterId;
    }
}
