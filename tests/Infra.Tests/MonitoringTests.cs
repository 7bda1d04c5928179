using System.Text.Json.Nodes;
using static AbuseDesk.Infra.Tests.ArmJson;

namespace AbuseDesk.Infra.Tests;

/// <summary>
/// Ops are mailed when messages are poisoned or the circuit breaker trips, and the abuse-desk workbook reads
/// the metrics the app publishes.
/// </summary>
[Collection(InfraCollection.Name)]
public sealed class MonitoringTests(CompiledInfra infra)
{
    /// <summary>The OpenTelemetry instruments the app publishes (names agreed with the app side).</summary>
    public static TheoryData<string> Metrics => new()
    {
        "abusedesk.reports.received",
        "abusedesk.reports.failed",
        "abusedesk.events.routed",
        "abusedesk.events.unrouted",
        "abusedesk.cases.opened",
        "abusedesk.cases.resolved",
        "abusedesk.cases.time_to_resolution",
        "abusedesk.notifications.sent",
        "abusedesk.notifications.failed",
        "abusedesk.suspensions",
        "abusedesk.safety.blocked",
        "abusedesk.breaker.open",
    };

    [Fact]
    public void Action_group_mails_the_ops_address()
    {
        var group = Single(CompiledInfra.Predicted(infra.FullSnapshot), "Microsoft.Insights/actionGroups")["properties"]!;

        Assert.True(Bool(group["enabled"]));
        Assert.InRange(Str(group["groupShortName"])!.Length, 1, 12);
        var receiver = Assert.Single(group["emailReceivers"]!.AsArray())!;
        Assert.Equal("ops@provider.test", Str(receiver["emailAddress"]));
    }

    [Fact]
    public void Poison_alert_counts_moves_to_poison_queues()
    {
        var query = AlertQuery("poison-messages", out _);

        Assert.Contains("traces", query, StringComparison.Ordinal);
        Assert.Contains("contains \"poison\"", query, StringComparison.Ordinal);
    }

    [Fact]
    public void Breaker_alert_matches_what_the_app_logs_and_publishes()
    {
        var query = AlertQuery("circuit-breaker", out var rule);
        var appSource = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "Functions", "Cases", "CaseTransitions.cs"));

        // The query's text must be what the app really logs, or the alert never fires.
        Assert.Contains("\"Circuit breaker tripped by case {CaseId}", appSource, StringComparison.Ordinal);
        Assert.Contains("message contains \"Circuit breaker tripped\"", query, StringComparison.Ordinal);
        Assert.Contains("name == \"abusedesk.breaker.open\"", query, StringComparison.Ordinal);
        Assert.Equal(1, rule["severity"]!.GetValue<int>());
    }

    [Fact]
    public void Workbook_is_shared_on_application_insights_and_well_formed()
    {
        var predicted = CompiledInfra.Predicted(infra.MainSnapshot).ToList();
        var appInsightsId = Id(Single(predicted, "Microsoft.Insights/components"));
        var workbook = Single(predicted, "Microsoft.Insights/workbooks");

        Assert.Equal("shared", Str(workbook["kind"]));
        Assert.True(Guid.TryParse(Str(workbook["name"]), out _), "workbook names are GUIDs");
        Assert.Equal(appInsightsId, Str(workbook["properties"]?["sourceId"]));
        var data = Workbook();
        Assert.Equal("Notebook/1.0", Str(data["version"]));
        Assert.Equal(appInsightsId, Str(Assert.Single(data["fallbackResourceIds"]!.AsArray())));
        Assert.All(QueryItems(data), item =>
        {
            Assert.Equal("microsoft.insights/components", Str(item["content"]?["resourceType"]));
            Assert.Equal("TimeRange", Str(item["content"]?["timeContextFromParameter"]));
            Assert.False(string.IsNullOrWhiteSpace(Str(item["content"]?["title"])));
        });
    }

    [Theory]
    [MemberData(nameof(Metrics))]
    public void Workbook_charts_every_metric(string metric) =>
        Assert.Contains(QueryItems(Workbook()), item => Str(item["content"]?["query"])!.Contains($"\"{metric}\"", StringComparison.Ordinal));

    [Theory]
    [InlineData("cases-by-state", "status")]
    [InlineData("cases-by-class", "customDimensions[\"class\"]")]
    [InlineData("overdue", "\"escalated\", \"suspension-pending\"")]
    [InlineData("time-to-resolution", "customDimensions[\"class\"]")]
    [InlineData("parse-failures", "customDimensions[\"reporter\"]")]
    [InlineData("suspensions", "abusedesk.suspensions")]
    [InlineData("safety-blocks", "customDimensions[\"safety\"]")]
    public void Workbook_has_the_desk_views(string name, string queryPart)
    {
        var item = Assert.Single(QueryItems(Workbook()), i => Str(i["name"]) == name);

        Assert.Contains(queryPart, Str(item["content"]?["query"]), StringComparison.Ordinal);
    }

    private string AlertQuery(string nameSuffix, out JsonNode properties)
    {
        var predicted = CompiledInfra.Predicted(infra.MainSnapshot).ToList();
        var appInsightsId = Id(Single(predicted, "Microsoft.Insights/components"));
        var actionGroupId = Id(Single(predicted, "Microsoft.Insights/actionGroups"));
        var rule = Assert.Single(
            OfType(predicted, "Microsoft.Insights/scheduledQueryRules"),
            r => Str(r["name"])!.EndsWith(nameSuffix, StringComparison.Ordinal));
        properties = rule["properties"]!;

        Assert.True(Bool(properties["enabled"]));
        Assert.Equal(appInsightsId, Str(Assert.Single(properties["scopes"]!.AsArray())));
        Assert.Equal(actionGroupId, Str(Assert.Single(properties["actions"]!["actionGroups"]!.AsArray())));
        var criterion = Assert.Single(properties["criteria"]!["allOf"]!.AsArray())!;
        Assert.Equal("Count", Str(criterion["timeAggregation"]));
        Assert.Equal("GreaterThan", Str(criterion["operator"]));
        Assert.Equal(0, criterion["threshold"]!.GetValue<int>());
        return Str(criterion["query"])!;
    }

    private JsonObject Workbook() =>
        JsonNode.Parse(Str(Single(CompiledInfra.Predicted(infra.MainSnapshot), "Microsoft.Insights/workbooks")["properties"]?["serializedData"])!)!.AsObject();

    private static List<JsonNode> QueryItems(JsonObject workbook) =>
        workbook["items"]!.AsArray().OfType<JsonNode>().Where(i => i["type"]?.GetValue<int>() == 3).ToList();
}
