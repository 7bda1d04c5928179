using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AbuseDesk.Functions.Tests.Portal;

/// <summary>A case as a customer meets it: reported through the real intake, announced by a real mail.</summary>
public sealed record MailedCase(string CaseId, string Link, string ContactEmail);

/// <summary>
/// Opens cases on the portal tests' own network (2001:db8:60:{n}::/64 → vm-portal-{n}, portal-{n}@customer.test in
/// DeskApp): one resource per test, so each test has its own case and its own inbox.
/// </summary>
public static partial class PortalCases
{
    public static async Task<MailedCase> ReportAsync(DeskApp app, int resource, string? subject = null)
    {
        var ip = $"2001:db8:60:{resource:x}::25";
        using var posted = await app.PostReportAsync(ArfSamples.For(ip, subject), "message/rfc822");
        var body = await posted.Content.ReadAsStringAsync();
        Assert.True(posted.IsSuccessStatusCode, $"POST /api/reports → {(int)posted.StatusCode}: {body}");
        var report = await app.WaitForReportAsync(JsonNode.Parse(body)!["reportId"]!.GetValue<string>());
        var caseId = report["events"]![0]!["caseId"]!.GetValue<string>();
        var email = $"portal-{resource}@customer.test";
        var link = await LinkFromMailAsync(app, email, caseId, 1);
        return new MailedCase(caseId, link, email);
    }

    /// <summary>The portal link of the <paramref name="nth"/> mail about the case, once maildev has it.</summary>
    public static async Task<string> LinkFromMailAsync(DeskApp app, string email, string caseId, int nth)
    {
        List<JsonNode> mails = [];
        try
        {
            // 90 s, not 30: in a full ./test this app's Azurite also carries the crash test's 1,000 running cases
            // (their timers are control-queue messages Azurite walks on every poll) and the other apps' tests, and one
            // notice (parse queue, the engine's control queue, the step, SMTP) once took longer than 30 s.
            await Eventually.Async(async () =>
            {
                mails = (await app.Mail.MailsToAsync(email))
                    .Where(m => m["subject"]!.GetValue<string>().Contains(caseId, StringComparison.Ordinal))
                    .ToList();
                return mails.Count >= nth;
            }, TimeSpan.FromSeconds(90), $"mail #{nth} about case {caseId} to {email}");
        }
        catch (TimeoutException e)
        {
            // What the desk knows of the case says whether the mail is late or was never decided.
            var known = await OpsCaseAsync(app, caseId);
            throw new TimeoutException($"{e.Message}; the case: status {known["status"]}, orchestration {known["orchestration"]?.ToJsonString()}, history {known["history"]?.ToJsonString()}", e);
        }

        var text = mails[nth - 1]["text"]!.GetValue<string>();
        var link = PortalLink().Match(text);
        Assert.True(link.Success, $"no portal link in the mail:\n{text}");
        Assert.Equal(caseId, link.Groups["token"].Value.Split('.')[2]);
        return link.Value;
    }

    public static async Task<JsonNode> OpsCaseAsync(DeskApp app, string caseId) => await app.OpsJsonAsync($"/api/ops/cases/{caseId}");

    public static async Task OpsActionAsync(DeskApp app, string caseId, string action, string reason)
    {
        using var request = app.Ops(HttpMethod.Post, $"/api/ops/cases/{caseId}/actions");
        request.Content = JsonContent.Create(new { action, actor = "ops-anna", reason });
        using var response = await app.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{action} → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>A client address from the documentation range; random so parallel runs and tests never share a limit.</summary>
    public static string RandomClientAddress() => $"2001:db8:ffff::{Random.Shared.Next(1, 0xffff):x}:{Random.Shared.Next(1, 0xffff):x}";

    [GeneratedRegex(@"https?://[^\s/]+/portal/cases/(?<token>[A-Za-z0-9._-]+)")]
    private static partial Regex PortalLink();
}
