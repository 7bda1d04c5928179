using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Tests.Cases;

/// <summary>
/// The case workflow on real queues with playbooks of seconds (tests/Functions.Tests/TestData/playbooks.yaml):
/// timers are real delayed messages, safeties read real rows, suspensions go to the real suspensions queue.
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class WorkflowTests(DeskApp app)
{
    private async Task<string> OpenCaseAsync(string ip, string abuseClass)
    {
        var json = $$"""{"events":[{"ip":"{{ip}}","abuseClass":"{{abuseClass}}","reportType":"test-{{abuseClass}}","occurredAt":"2026-11-20T10:00:00Z","evidence":"{{Guid.NewGuid():N}}"}]}""";
        using var posted = await app.PostReportAsync(Encoding.UTF8.GetBytes(json), "application/json");
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var reportId = JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        var report = await app.WaitForReportAsync(reportId);
        return report["events"]![0]!["caseId"]!.GetValue<string>();
    }

    private async Task<JsonNode> WaitForStatusAsync(string caseId, string status, int seconds = 30)
    {
        JsonNode? detail = null;
        await Eventually.Async(async () => (detail = await app.OpsJsonAsync($"/api/ops/cases/{caseId}"))["status"]!.GetValue<string>() == status,
            TimeSpan.FromSeconds(seconds), $"case {caseId} to become {status} (last: {detail?["status"]})");
        return detail!;
    }

    private async Task<HttpResponseMessage> ActAsync(string caseId, string action, string actor, string? reason)
    {
        using var request = app.Ops(HttpMethod.Post, $"/api/ops/cases/{caseId}/actions");
        request.Content = JsonContent.Create(new { action, actor, reason });
        return await app.Http.SendAsync(request);
    }

    private async Task ResumeBreakerAsync()
    {
        using var resume = app.Ops(HttpMethod.Post, "/api/ops/breaker/resume");
        resume.Content = JsonContent.Create(new { actor = "test-ops" });
        using var response = await app.Http.SendAsync(resume);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<List<PlatformMessage>> PlatformMessagesAsync(string caseId)
    {
        var peeked = await app.Storage.Queue(DeskStorage.SuspensionsQueue).PeekMessagesAsync(32);
        return peeked.Value.Select(m => Json.Deserialize<PlatformMessage>(m.Body.ToString())).Where(m => m.CaseId == caseId).ToList();
    }

    private static JsonNode History(JsonNode detail, string what) =>
        detail["history"]!.AsArray().Last(h => h!["what"]!.GetValue<string>() == what)!;

    private static List<string> Safeties(JsonNode entry) => entry["safeties"]!.AsArray().Select(s => s!.GetValue<string>()).ToList();

    [Fact]
    public async Task A_deadline_fires_from_a_delayed_message_and_suspends_a_young_customer_with_every_safety_recorded()
    {
        await ResumeBreakerAsync();
        var caseId = await OpenCaseAsync("2001:db8:10::5", "malware");

        var detail = await WaitForStatusAsync(caseId, "suspended");
        var suspended = History(detail, "suspended");
        Assert.Equal("system", suspended["actor"]!.GetValue<string>());
        Assert.Contains("onDeadline=suspend", suspended["rule"]!.GetValue<string>());
        var checks = Safeties(suspended);
        Assert.Equal(4, checks.Count);
        Assert.All(checks, c => Assert.Contains(": pass", c));

        await Eventually.Async(async () => (await PlatformMessagesAsync(caseId)).Count > 0, TimeSpan.FromSeconds(10), "the suspension on the suspensions queue");
        var message = Assert.Single(await PlatformMessagesAsync(caseId));
        Assert.Equal("suspend", message.Action);
        Assert.Equal("vm-young", message.ResourceId);

        // The reminder came at half time and the customer was told of the suspension.
        List<JsonNode> mails = [];
        await Eventually.Async(async () => (mails = await app.Mail.MailsToAsync("wf-young@customer.test")).Any(m => m["subject"]!.GetValue<string>().Contains(caseId, StringComparison.Ordinal) && m["subject"]!.GetValue<string>().Contains("uspend", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(15), "the suspension mail");
        Assert.Contains(mails, m => m["subject"]!.GetValue<string>().Contains(caseId, StringComparison.Ordinal) && m["subject"]!.GetValue<string>().StartsWith($"[AbuseDesk #{caseId}] Reminder", StringComparison.Ordinal));

        // The same suspension reached the platform's webhook, signed.
        await Eventually.Async(() => Task.FromResult(app.Platform.Calls.Any(c => c.Body.Contains(caseId, StringComparison.Ordinal))), TimeSpan.FromSeconds(15), "the signed webhook call");
        var call = app.Platform.Calls.First(c => c.Body.Contains(caseId, StringComparison.Ordinal));
        Assert.Equal($"sha256={CallPlatformWebhook.Sign(app.Platform.Secret, call.Timestamp!, call.Body)}", call.Signature);
    }

    [Fact]
    public async Task A_notice_goes_out_right_after_its_commit_with_the_claimed_mail_as_its_own_outbox_entry()
    {
        var caseId = await OpenCaseAsync("2001:db8:17::5", "spam");
        await WaitForStatusAsync(caseId, "notified");
        await Eventually.Async(async () => (await app.Mail.MailsToAsync("wf-fast@customer.test")).Any(m => m["subject"]!.GetValue<string>().Contains(caseId, StringComparison.Ordinal)),
            TimeSpan.FromSeconds(15), "the first notice");

        var rows = new List<Azure.Data.Tables.TableEntity>();
        await foreach (var row in app.Storage.Cases.QueryAsync<Azure.Data.Tables.TableEntity>(r => r.PartitionKey == caseId))
        {
            rows.Add(row);
        }

        // Sent by the process that committed it: one SMTP conversation, marked sent, no mail-queue message owed.
        var mail = Assert.Single(rows, r => r.RowKey.StartsWith(MailEntity.Prefix, StringComparison.Ordinal));
        await Eventually.Async(async () => (await app.Storage.Cases.GetEntityAsync<MailEntity>(caseId, mail.RowKey)).Value.Status == "sent", TimeSpan.FromSeconds(10), "the mail row marked sent");
        Assert.Equal(1, (await app.Storage.Cases.GetEntityAsync<MailEntity>(caseId, mail.RowKey)).Value.Attempts);
        Assert.DoesNotContain(rows, r => r.RowKey.StartsWith(OutboxEntity.Prefix, StringComparison.Ordinal) && r.GetString("Queue") == DeskStorage.EmailOutboxQueue);
        // The reminder and deadline timers are the case's: on its row, for its orchestration to wait on.
        await Eventually.Async(async () =>
        {
            var row = (await app.Storage.Cases.GetEntityAsync<CaseEntity>(caseId, CaseEntity.Row)).Value;
            var timers = ArmedTimers.Read(row.Timers);
            return timers.Count == 2 && timers.Any(t => t.Kind == AbuseDesk.Domain.Cases.TimerKind.Reminder) && timers.Any(t => t.Kind == AbuseDesk.Domain.Cases.TimerKind.Deadline);
        }, TimeSpan.FromSeconds(10), "a reminder and a deadline armed");
    }

    [Fact]
    public async Task A_resolution_before_the_deadline_makes_the_deadline_timer_a_no_op()
    {
        await ResumeBreakerAsync();
        var caseId = await OpenCaseAsync("2001:db8:10:1::5", "fraud");
        await WaitForStatusAsync(caseId, "notified");
        var token = AbuseDesk.Domain.Portal.CaseLinkToken.Create(caseId, DateTimeOffset.UtcNow.AddDays(1), "k1", Encoding.ASCII.GetBytes("test-signing-key-0123456789abcdef0123"));
        var url = $"{app.BaseUrl}portal/cases/{token}";
        var portal = new PortalSession(app);
        var fixedPage = await portal.SubmitAsync(url, await portal.OpenAsync(url), "fixed", "Took the fake shop offline and reset the admin password");
        Assert.Equal(HttpStatusCode.OK, fixedPage.Status);

        // Past the 8 s deadline: the delayed message surfaced, found a newer version, and did nothing.
        await Task.Delay(TimeSpan.FromSeconds(10));
        var detail = await app.OpsJsonAsync($"/api/ops/cases/{caseId}");
        Assert.Equal("resolved", detail["status"]!.GetValue<string>());
        Assert.DoesNotContain(detail["history"]!.AsArray(), h => h!["what"]!.GetValue<string>() is "suspended" or "suspension-pending" or "escalated");
        Assert.Empty(await PlatformMessagesAsync(caseId));
    }

    [Fact]
    public async Task A_long_standing_customer_is_never_suspended_automatically_but_held_for_a_person()
    {
        await ResumeBreakerAsync();
        var caseId = await OpenCaseAsync("2001:db8:11::5", "malware");
        var detail = await WaitForStatusAsync(caseId, "suspension-pending");
        var held = detail["history"]!.AsArray().Last()!;
        Assert.Contains(Safeties(held), s => s.StartsWith("customer-age: BLOCK", StringComparison.Ordinal));
        Assert.Empty(await PlatformMessagesAsync(caseId));

        // A person may still decide to suspend; that is recorded with their name and reason.
        using var approved = await ActAsync(caseId, "approve-suspension", "carol", "confirmed malware on the VM");
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        detail = await WaitForStatusAsync(caseId, "suspended");
        Assert.Equal("carol", History(detail, "suspended")["actor"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_allow_flag_blocks_the_automated_suspension_until_it_expires()
    {
        await ResumeBreakerAsync();
        using (var flag = app.Ops(HttpMethod.Post, "/api/ops/customers/cust-wf-flag/allow-flags"))
        {
            flag.Content = JsonContent.Create(new { reason = "security research lab, scans expected", actor = "dave", expiresAt = DateTimeOffset.UtcNow.AddHours(2) });
            using var created = await app.Http.SendAsync(flag);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var caseId = await OpenCaseAsync("2001:db8:12::5", "malware");
        var detail = await WaitForStatusAsync(caseId, "suspension-pending");
        Assert.Contains(Safeties(detail["history"]!.AsArray().Last()!), s => s.StartsWith("allow-flag: BLOCK", StringComparison.Ordinal));
        Assert.Empty(await PlatformMessagesAsync(caseId));
    }

    [Fact]
    public async Task A_manual_reinstatement_grants_a_grace_period_in_which_automation_leaves_the_customer_alone()
    {
        await ResumeBreakerAsync();
        var first = await OpenCaseAsync("2001:db8:13::5", "malware");
        await WaitForStatusAsync(first, "suspended");
        using var reinstated = await ActAsync(first, "reinstate", "erin", "customer called, fixed");
        Assert.Equal(HttpStatusCode.OK, reinstated.StatusCode);
        var detail = await WaitForStatusAsync(first, "reinstated");
        Assert.Equal("erin", History(detail, "reinstated")["actor"]!.GetValue<string>());
        await Eventually.Async(async () => (await PlatformMessagesAsync(first)).Any(m => m.Action == "reinstate"), TimeSpan.FromSeconds(10), "the reinstatement on the suspensions queue");

        var second = await OpenCaseAsync("2001:db8:13:1::5", "malware");
        detail = await WaitForStatusAsync(second, "suspension-pending");
        Assert.Contains(Safeties(detail["history"]!.AsArray().Last()!), s => s.StartsWith("reinstatement-grace: BLOCK", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_circuit_breaker_trips_after_too_many_automated_suspensions_and_resumes_when_ops_say_so()
    {
        await ResumeBreakerAsync();
        // The test playbooks allow 3 automated suspensions an hour; the 4th is held and trips the breaker.
        var cases = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            cases.Add(await OpenCaseAsync($"2001:db8:14:{i}::1", "malware"));
            if (i < 3)
            {
                await WaitForStatusAsync(cases[i], "suspended");
            }
        }

        var held = await WaitForStatusAsync(cases[3], "suspension-pending");
        Assert.Contains(Safeties(held["history"]!.AsArray().Last()!), s => s.StartsWith("circuit-breaker: BLOCK", StringComparison.Ordinal));
        var breaker = await app.OpsJsonAsync("/api/ops/breaker");
        Assert.True(breaker["open"]!.GetValue<bool>());

        await ResumeBreakerAsync();
        breaker = await app.OpsJsonAsync("/api/ops/breaker");
        Assert.False(breaker["open"]!.GetValue<bool>());
        Assert.Equal("test-ops", breaker["resumedBy"]!.GetValue<string>());
        var next = await OpenCaseAsync("2001:db8:14:5::1", "malware");
        await WaitForStatusAsync(next, "suspended");
    }

    [Fact]
    public async Task Termination_needs_two_different_people_and_a_written_reason()
    {
        var caseId = await OpenCaseAsync("2001:db8:15::5", "ddos");
        await WaitForStatusAsync(caseId, "escalated");

        using var noReason = await ActAsync(caseId, "request-termination", "frank", null);
        Assert.Equal(HttpStatusCode.Conflict, noReason.StatusCode);
        using var requested = await ActAsync(caseId, "request-termination", "frank", "repeat DDoS source after three warnings");
        Assert.Equal(HttpStatusCode.OK, requested.StatusCode);
        using var sameActor = await ActAsync(caseId, "approve-termination", "frank", "agree");
        Assert.Equal(HttpStatusCode.Conflict, sameActor.StatusCode);
        Assert.Contains("different", JsonNode.Parse(await sameActor.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());

        using var approved = await ActAsync(caseId, "approve-termination", "grace", "reviewed the evidence; agree");
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        await WaitForStatusAsync(caseId, "terminated");
        await Eventually.Async(async () => (await PlatformMessagesAsync(caseId)).Any(m => m.Action == "terminate"), TimeSpan.FromSeconds(10), "the termination on the suspensions queue");
    }

    [Fact]
    public async Task A_dry_run_playbook_records_what_it_would_have_done_and_acts_on_nobody()
    {
        await ResumeBreakerAsync();
        var caseId = await OpenCaseAsync("2001:db8:10:2::5", "botnet");
        var detail = await WaitForStatusAsync(caseId, "escalated");
        var entry = detail["history"]!.AsArray().Last()!;
        Assert.Contains("dry run", entry["what"]!.GetValue<string>() + " " + entry["detail"]?.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(4, Safeties(entry).Count);
        Assert.Empty(await PlatformMessagesAsync(caseId));
    }
}
