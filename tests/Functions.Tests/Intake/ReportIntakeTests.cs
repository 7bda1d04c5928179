using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AbuseDesk.Functions.Tests.Intake;

[Collection(DeskCollection.Name)]
public sealed class ReportIntakeTests(DeskApp app)
{
    [Fact]
    public async Task The_same_report_twice_is_a_duplicate_with_the_same_id_and_makes_one_case()
    {
        var bytes = ArfSamples.For("203.0.113.9");
        using var first = await app.PostReportAsync(bytes, "message/rfc822");
        using var second = await app.PostReportAsync(bytes, "message/rfc822");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var a = JsonNode.Parse(await first.Content.ReadAsStringAsync())!;
        var b = JsonNode.Parse(await second.Content.ReadAsStringAsync())!;
        Assert.Equal(a["reportId"]!.GetValue<string>(), b["reportId"]!.GetValue<string>());
        Assert.True(b["duplicate"]!.GetValue<bool>());

        await app.WaitForReportAsync(a["reportId"]!.GetValue<string>());
        var cases = await app.CasesAsync("cust-dup");
        var single = Assert.Single(cases);
        Assert.Equal(1, single!["eventCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_unallocated_IP_is_kept_unrouted_and_opens_no_case()
    {
        using var posted = await app.PostReportAsync(ArfSamples.For("2001:db8:ffff::44"), "message/rfc822");
        var reportId = JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        var report = await app.WaitForReportAsync(reportId);

        Assert.Equal("parsed", report["status"]!.GetValue<string>());
        Assert.Equal(1, report["unroutedCount"]!.GetValue<int>());
        Assert.Equal(0, report["routedCount"]!.GetValue<int>());
        var ev = Assert.Single(report["events"]!.AsArray());
        Assert.Equal("2001:db8:ffff::44", ev!["ip"]!.GetValue<string>());
        Assert.Null(ev["caseId"]);
        Assert.Equal("outside the provider's network", ev["unroutedReason"]!.GetValue<string>());

        var all = (await app.OpsJsonAsync("/api/ops/cases?limit=1000"))["cases"]!.AsArray();
        Assert.DoesNotContain(all, c => c!["ip"]?.GetValue<string>() == "2001:db8:ffff::44");
    }

    [Fact]
    public async Task The_reporter_reads_its_report_status_and_another_key_cannot()
    {
        using var posted = await app.PostReportAsync(ArfSamples.For("203.0.113.200"), "message/rfc822");
        var reportId = JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        await app.WaitForReportAsync(reportId);

        using var mine = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/reports/{reportId}", UriKind.Relative));
        mine.Headers.Add("Authorization", $"Bearer {app.ReporterKey}");
        using var response = await app.Http.SendAsync(mine);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(reportId, status["reportId"]!.GetValue<string>());
        Assert.Equal("parsed", status["status"]!.GetValue<string>());
        Assert.Equal(1, status["eventCount"]!.GetValue<int>());
        Assert.EndsWith("Z", status["receivedAt"]!.GetValue<string>());

        using var other = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/reports/{reportId}", UriKind.Relative));
        other.Headers.Add("Authorization", "Bearer not-a-key");
        using var refused = await app.Http.SendAsync(other);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("rk_wrong")]
    public async Task A_missing_or_unknown_key_is_401_problem_json(string? key)
    {
        using var response = await app.PostReportAsync(ArfSamples.For("203.0.113.201"), "message/rfc822", key ?? "");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains("Bearer", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unsupported_content_type_is_415()
    {
        using var response = await app.PostReportAsync(Encoding.UTF8.GetBytes("<html></html>"), "text/html");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("text/html", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_even_without_content_length()
    {
        var big = new byte[DeskApp.MaxReportBytes + 1];
        using var declared = await app.PostReportAsync(big, "message/rfc822");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/reports", UriKind.Relative))
        {
            Content = new StreamContent(new MemoryStream(big)),
        };
        request.Headers.TransferEncodingChunked = true;
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "message/rfc822");
        request.Headers.Add("Authorization", $"Bearer {app.ReporterKey}");
        using var chunked = await app.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
    }

    [Fact]
    public async Task A_garbage_body_is_kept_as_failed_with_a_reason_and_the_next_report_still_goes_through()
    {
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        using var bad = await app.PostReportAsync(garbage, "message/rfc822");
        Assert.Equal(HttpStatusCode.Accepted, bad.StatusCode);
        var badId = JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        var failed = await app.WaitForReportAsync(badId);
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(failed["error"]?.GetValue<string>()));

        using var good = await app.PostReportAsync(ArfSamples.For("203.0.113.202"), "message/rfc822");
        var goodId = JsonNode.Parse(await good.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        var parsed = await app.WaitForReportAsync(goodId);
        Assert.Equal("parsed", parsed["status"]!.GetValue<string>());
        Assert.Equal(1, parsed["routedCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task JSON_events_are_accepted_and_routed()
    {
        var json = """{"events":[{"ip":"203.0.113.203","port":22,"abuseClass":"bruteforce","reportType":"ssh-login-attack","occurredAt":"2026-11-20T10:00:00Z","evidence":"900 failed logins"}]}""";
        using var posted = await app.PostReportAsync(Encoding.UTF8.GetBytes(json + " "), "application/json");
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var reportId = JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        var report = await app.WaitForReportAsync(reportId);
        Assert.Equal("json-events", report["format"]!.GetValue<string>());
        var ev = Assert.Single(report["events"]!.AsArray());
        Assert.Equal("bruteforce", ev!["abuseClass"]!.GetValue<string>());
        Assert.Equal(22, ev["port"]!.GetValue<int>());
        Assert.NotNull(ev["caseId"]);
    }
}
