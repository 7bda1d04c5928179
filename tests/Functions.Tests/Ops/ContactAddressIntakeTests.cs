using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace AbuseDesk.Functions.Tests.Ops;

/// <summary>
/// Every contact address taken in is one bare mailbox or refused with 400 naming the field: a reporter's
/// contactEmail (created or changed) and the contactEmail column of the allocation import (naming the line; the
/// table in force stays as it was).
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class ContactAddressIntakeTests(DeskApp app)
{
    public static TheoryData<string> Hostile => new()
    {
        "victim@example.org\r\nBcc: injected@example.net",
        "victim@example.org, injected@example.net",
        "Victim <victim@example.org>",
        "\"injected@example.net\" <victim@example.org>",
        "undisclosed-recipients:;",
        "bad..dots@example.org",
    };

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private async Task<JsonArray> ReportersAsync() => (await app.OpsJsonAsync("/api/ops/reporters"))["reporters"]!.AsArray();

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_reporter_whose_contactEmail_is_not_one_mailbox_is_refused_and_not_stored(string contactEmail)
    {
        var name = "Hostile " + Guid.NewGuid().ToString("N");
        using var create = app.Ops(HttpMethod.Post, "/api/ops/reporters");
        create.Content = JsonContent.Create(new { name, contactEmail, wantsFeedback = true });
        using var response = await app.Http.SendAsync(create);

        var problem = await ProblemAsync(response);
        Assert.Contains("'contactEmail'", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("contactEmail", problem["field"]!.GetValue<string>());
        Assert.DoesNotContain(await ReportersAsync(), r => r!["name"]!.GetValue<string>() == name);
    }

    [Fact]
    public async Task A_reporters_contactEmail_can_be_changed_only_to_one_mailbox()
    {
        using var create = app.Ops(HttpMethod.Post, "/api/ops/reporters");
        create.Content = JsonContent.Create(new { name = "Changing contact", contactEmail = "before@reporter.test", wantsFeedback = true });
        using var created = await app.Http.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var reporterId = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["reporterId"]!.GetValue<string>();

        using var hostile = app.Ops(HttpMethod.Put, $"/api/ops/reporters/{reporterId}");
        hostile.Content = JsonContent.Create(new { contactEmail = "after@reporter.test\r\nBcc: injected@example.net", actor = "erin" });
        using var refused = await app.Http.SendAsync(hostile);
        var problem = await ProblemAsync(refused);
        Assert.Contains("line break", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("before@reporter.test", (await app.OpsJsonAsync($"/api/ops/reporters/{reporterId}"))["contactEmail"]!.GetValue<string>());

        using var change = app.Ops(HttpMethod.Put, $"/api/ops/reporters/{reporterId}");
        change.Content = JsonContent.Create(new { contactEmail = "after@reporter.test", actor = "erin", reason = "new NOC address" });
        using var changed = await app.Http.SendAsync(change);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var view = await app.OpsJsonAsync($"/api/ops/reporters/{reporterId}");
        Assert.Equal("after@reporter.test", view["contactEmail"]!.GetValue<string>());
        Assert.True(view["wantsFeedback"]!.GetValue<bool>());
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task An_allocation_row_whose_contactEmail_is_not_one_mailbox_is_400_naming_line_and_field_and_changes_nothing(string contactEmail)
    {
        var before = await app.OpsJsonAsync("/api/ops/allocations?limit=1");
        // A CSV line cannot hold a line break; a quoted field can hold the rest.
        var field = contactEmail.Replace("\r\n", " ", StringComparison.Ordinal).Replace("\"", "\"\"", StringComparison.Ordinal);
        var csv = DeskApp.Allocations + DeskApp.CrashAllocations() + $"\n2001:db8:7d::/48,cust-hostile,vm-hostile,\"{field}\",2026-01-01\n";
        var line = csv.Split('\n').Length - 1;

        using var put = app.Ops(HttpMethod.Put, "/api/ops/allocations");
        put.Content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var response = await app.Http.SendAsync(put);

        var problem = await ProblemAsync(response);
        var detail = problem["detail"]!.GetValue<string>();
        Assert.StartsWith($"line {line}: contactEmail '", detail, StringComparison.Ordinal);
        var after = await app.OpsJsonAsync("/api/ops/allocations?limit=1");
        Assert.Equal(before["generation"]!.GetValue<string>(), after["generation"]!.GetValue<string>());
        Assert.Equal(0, (await app.OpsJsonAsync("/api/ops/allocations?customerId=cust-hostile"))["matching"]!.GetValue<int>());
    }
}
