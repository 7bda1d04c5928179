using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AbuseDesk.Functions.Tests.Ops;

[Collection(DeskCollection.Name)]
public sealed class AllocationOpsTests(DeskApp app)
{
    private async Task<List<JsonNode>> CurrentAsync()
    {
        var rows = new List<JsonNode>();
        string? continuation = null;
        do
        {
            var page = await app.OpsJsonAsync("/api/ops/allocations?limit=100" + (continuation is null ? "" : $"&continuation={continuation}"));
            rows.AddRange(page["allocations"]!.AsArray().Select(n => n!));
            continuation = page["continuation"]?.GetValue<string>();
        }
        while (continuation is not null);

        return rows;
    }

    private static string Csv(IEnumerable<JsonNode> rows) =>
        "cidr,customerId,resourceId,contactEmail,customerSince,language\n" + string.Concat(rows.Select(r =>
            $"{r["cidr"]},{r["customerId"]},{r["resourceId"]},{r["contactEmail"]},{r["customerSince"]},{r["language"]}\n"));

    private async Task<(HttpResponseMessage Response, JsonNode Body)> PutAsync(string query, string csv)
    {
        using var put = app.Ops(HttpMethod.Put, "/api/ops/allocations" + query);
        put.Content = new StringContent(csv, Encoding.UTF8, "text/csv");
        var response = await app.Http.SendAsync(put);
        return (response, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task The_view_pages_through_the_generation_in_force()
    {
        var first = await app.OpsJsonAsync("/api/ops/allocations?limit=10");
        var total = first["count"]!.GetValue<int>();
        Assert.True(total >= DeskApp.CrashResources + 5, $"count {total}");
        Assert.Equal(10, first["allocations"]!.AsArray().Count);
        Assert.NotNull(first["continuation"]);
        Assert.StartsWith("g", first["generation"]!.GetValue<string>());

        var all = await CurrentAsync();
        Assert.Equal(total, all.Count);
        Assert.Equal(total, all.Select(a => a["cidr"]!.GetValue<string>()).Distinct().Count());
        var mine = Assert.Single(all, a => a["cidr"]!.GetValue<string>() == "2001:db8:71::/48");
        Assert.Equal("cust-ops-export", mine!["customerId"]!.GetValue<string>());

        var filtered = await app.OpsJsonAsync("/api/ops/allocations?customerId=cust-ops-a");
        Assert.Equal(2, filtered["matching"]!.GetValue<int>());

        using var anonymous = await app.Http.GetAsync(new Uri("/api/ops/allocations", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task A_dry_run_answers_what_would_change_and_writes_nothing()
    {
        var before = await app.OpsJsonAsync("/api/ops/allocations?limit=1");
        var current = await CurrentAsync();
        var proposed = current
            .Where(a => a["cidr"]!.GetValue<string>() != "2001:db8:73::/48")
            .Select(a => a["cidr"]!.GetValue<string>() == "2001:db8:72::/48"
                ? JsonNode.Parse(a.ToJsonString().Replace("cust-ops-queue", "cust-ops-new", StringComparison.Ordinal))!
                : a)
            .Append(JsonNode.Parse("""{"cidr":"2001:db8:7f::/48","customerId":"cust-ops-added","resourceId":"vm-added","contactEmail":"added@customer.test","customerSince":"2026-11-01"}""")!)
            .ToList();

        var (response, diff) = await PutAsync("?dryRun=true", Csv(proposed));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(diff["dryRun"]!.GetValue<bool>());
        var counts = diff["counts"]!;
        Assert.Equal(current.Count, counts["current"]!.GetValue<int>());
        Assert.Equal(current.Count, counts["proposed"]!.GetValue<int>());
        Assert.Equal(1, counts["added"]!.GetValue<int>());
        Assert.Equal(1, counts["removed"]!.GetValue<int>());
        Assert.Equal(1, counts["changed"]!.GetValue<int>());
        Assert.Equal(1, counts["ownerChanged"]!.GetValue<int>());
        Assert.Equal(current.Count - 2, counts["unchanged"]!.GetValue<int>());
        Assert.Equal("2001:db8:7f::/48", diff["added"]![0]!["cidr"]!.GetValue<string>());
        Assert.Equal("2001:db8:73::/48", diff["removed"]![0]!["cidr"]!.GetValue<string>());
        var changed = diff["changed"]![0]!;
        Assert.Equal("cust-ops-queue", changed["before"]!["customerId"]!.GetValue<string>());
        Assert.Equal("cust-ops-new", changed["after"]!["customerId"]!.GetValue<string>());
        Assert.Equal(["cust-ops-added", "cust-ops-new"], diff["customersAdded"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(["cust-ops-diff", "cust-ops-queue"], diff["customersRemoved"]!.AsArray().Select(c => c!.GetValue<string>()));

        // Nothing written: the same generation, and the removed block still routes to its owner.
        var after = await app.OpsJsonAsync("/api/ops/allocations?limit=1");
        Assert.Equal(before["generation"]!.GetValue<string>(), after["generation"]!.GetValue<string>());
        var report = await app.WaitForReportAsync(await app.PostEventAsync("2001:db8:73::9", "scanning", "scan-ops-dry-run"));
        Assert.Equal("cust-ops-diff", report["events"]![0]!["customerId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_dry_run_of_a_bad_file_is_400_naming_the_line()
    {
        var (response, problem) = await PutAsync("?dryRun=true", "cidr,customerId,resourceId,contactEmail,customerSince\n2001:db8:7e::1/48,cust-x,vm-x,x@x.test,2026-01-01\n");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("line 2:", problem.Detail());
    }

    [Fact]
    public async Task A_real_import_records_who_did_it_and_why()
    {
        var current = await CurrentAsync();
        var (response, body) = await PutAsync("?actor=carol&reason=nightly%20inventory%20sync", Csv(current));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(current.Count, body["count"]!.GetValue<int>());
        Assert.False(body["dryRun"]!.GetValue<bool>());
        Assert.Equal(current.Count, body["counts"]!["unchanged"]!.GetValue<int>());

        var view = await app.OpsJsonAsync("/api/ops/allocations?limit=1");
        Assert.Equal("carol", view["importedBy"]!.GetValue<string>());
        Assert.Equal("nightly inventory sync", view["importReason"]!.GetValue<string>());
        var audit = await app.OpsJsonAsync("/api/ops/audit?target=allocations&limit=5");
        Assert.Equal("carol", audit["entries"]![0]!["actor"]!.GetValue<string>());
        Assert.Equal("allocations-import", audit["entries"]![0]!["action"]!.GetValue<string>());
    }
}
