using System.Text.Json.Nodes;
using AbuseDesk.DevHost;
using AbuseDesk.Functions.Health;

namespace AbuseDesk.Functions.Tests.Hosting;

/// <summary>
/// What the dev host runs is what Azure's Functions host will run: the dev host reads the [Function] declarations,
/// the Functions host reads functions.metadata, which the Worker Sdk generates from the same declarations at
/// build time. Same names, triggers, queues, containers, schedules, routes and methods.
/// </summary>
public sealed class FunctionMetadataTests
{
    private static readonly FunctionCatalog Catalog = FunctionCatalog.From(typeof(GetHealth).Assembly);

    private static readonly JsonArray Metadata = JsonNode.Parse(File.ReadAllText(Path.Combine(
        DeskApp.RepoRoot(), "src", "Functions", "bin", new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name, "net10.0", "functions.metadata")))!.AsArray();

    [Fact]
    public void The_dev_host_runs_exactly_the_functions_that_functions_metadata_declares()
    {
        var declared = Metadata.Select(f => f!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray();
        var run = Catalog.Functions.Select(f => f.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(declared, run);
        Assert.True(run.Length > 40, $"only {run.Length} functions found");
    }

    [Fact]
    public void Every_function_has_the_same_trigger_and_trigger_settings_in_both()
    {
        foreach (var function in Catalog.Functions)
        {
            var bindings = Metadata.Single(f => f!["name"]!.GetValue<string>() == function.Name)!["bindings"]!.AsArray();
            var trigger = bindings.Single(b => b!["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal))!;
            var expectedType = function.Trigger switch
            {
                TriggerKind.Http => "httpTrigger",
                TriggerKind.Queue => "queueTrigger",
                TriggerKind.Blob => "blobTrigger",
                TriggerKind.Timer => "timerTrigger",
                TriggerKind.Orchestration => "orchestrationTrigger",
                TriggerKind.Activity => "activityTrigger",
                _ => "?",
            };
            Assert.True(expectedType == trigger["type"]!.GetValue<string>(), $"{function.Name}: {trigger["type"]} in functions.metadata, {expectedType} in the dev host");
            Assert.Equal(function.QueueName, trigger["queueName"]?.GetValue<string>());
            Assert.Equal(function.BlobPath, trigger["path"]?.GetValue<string>());
            Assert.Equal(function.Schedule, trigger["schedule"]?.GetValue<string>());
            Assert.Equal(function.Route, trigger["route"]?.GetValue<string>());
            var methods = trigger["methods"]?.AsArray().Select(m => m!.GetValue<string>().ToUpperInvariant()).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(function.Methods?.Order(StringComparer.Ordinal).ToArray(), methods);
            Assert.Equal(function.UsesDurableClient, bindings.Any(b => b!["type"]!.GetValue<string>() == "durableClient"));
        }
    }

    [Fact]
    public void Every_kind_of_binding_the_app_needs_is_declared()
    {
        var types = Metadata.SelectMany(f => f!["bindings"]!.AsArray()).Select(b => b!["type"]!.GetValue<string>()).ToHashSet();
        Assert.Superset(new HashSet<string> { "httpTrigger", "queueTrigger", "blobTrigger", "timerTrigger", "orchestrationTrigger", "activityTrigger", "durableClient" }, types);
    }

    /// <summary>
    /// The Functions host tries HTTP routes in function-name order, not by how specific a template is; two routes
    /// that can match the same request and method would go to whichever function sorts first.
    /// </summary>
    [Fact]
    public void No_two_http_functions_can_match_the_same_request()
    {
        var http = Catalog.Of(TriggerKind.Http).ToList();
        var clashes = new List<string>();
        for (var i = 0; i < http.Count; i++)
        {
            for (var j = i + 1; j < http.Count; j++)
            {
                if (http[i].Methods!.Intersect(http[j].Methods!).Any() && CanOverlap(http[i].Route!, http[j].Route!))
                {
                    clashes.Add($"{http[i].Name} ({http[i].Route}) and {http[j].Name} ({http[j].Route})");
                }
            }
        }

        Assert.Empty(clashes);
    }

    [Theory]
    [InlineData("api/ops/queues/{name}", "api/ops/queues/unrouted", true)]
    [InlineData("api/ops/cases/{caseId}", "api/ops/cases/{caseId}/export", false)]
    [InlineData("portal/cases/{token}", "portal/assets/portal.css", false)]
    public void The_overlap_check_tells_clashing_templates_apart(string a, string b, bool overlap) =>
        Assert.Equal(overlap, CanOverlap(a, b));

    private static bool CanOverlap(string a, string b)
    {
        var left = a.Split('/');
        var right = b.Split('/');
        return left.Length == right.Length
            && left.Zip(right).All(pair => pair.First.StartsWith('{') || pair.Second.StartsWith('{') || string.Equals(pair.First, pair.Second, StringComparison.OrdinalIgnoreCase));
    }
}
