using System.Text.Json.Nodes;

namespace AbuseDesk.Infra.Tests;

/// <summary>
/// Runs the Bicep CLI once per test class: builds infra/bicep/main.bicep to an ARM template, and takes
/// deployment snapshots (the template evaluated offline against a made-up subscription and resource
/// group: loops unrolled, names and ids computed, only runtime values such as reference() left as
/// expressions) for main.bicepparam and for a parameter file that names an ops group. Snapshots are taken
/// in a temporary copy of infra/bicep, because `bicep snapshot` writes its file beside the parameters.
/// </summary>
public sealed class CompiledInfra : IAsyncLifetime
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000abcd";
    public const string ResourceGroup = "rg-abusedesk-test";
    public const string Location = "westeurope";
    public const string OpsPrincipalId = "11111111-2222-3333-4444-555555555555";

    private DirectoryInfo? workDirectory;

    public BicepResult Build { get; private set; } = null!;

    public BicepResult MainSnapshotRun { get; private set; } = null!;

    public BicepResult OpsSnapshotRun { get; private set; } = null!;

    /// <summary>The compiled ARM template; asserts that the build succeeded first.</summary>
    public JsonObject Template
    {
        get
        {
            Assert.True(Build.ExitCode == 0, Build.Transcript);
            return JsonNode.Parse(Build.StandardOutput)!.AsObject();
        }
    }

    /// <summary>The snapshot of a deployment with main.bicepparam.</summary>
    public JsonObject MainSnapshot => ReadSnapshot(MainSnapshotRun, "main.snapshot.json");

    /// <summary>The snapshot of a deployment that grants an ops group read access.</summary>
    public JsonObject OpsSnapshot => ReadSnapshot(OpsSnapshotRun, "ops.snapshot.json");

    public async Task InitializeAsync()
    {
        Build = await BicepCli.RunAsync(RepoPaths.Root, "build", "infra/bicep/main.bicep", "--stdout");

        workDirectory = Directory.CreateTempSubdirectory("abusedesk-bicep-");
        CopyDirectory(new DirectoryInfo(RepoPaths.InfraBicep), workDirectory);
        await File.WriteAllTextAsync(
            Path.Combine(workDirectory.FullName, "ops.bicepparam"),
            $"""
            using 'main.bicep'

            param environmentName = 'test'
            param deploymentStorageContainerName = 'app-package'
            param opsPrincipalId = '{OpsPrincipalId}'
            param opsPrincipalType = 'Group'

            """);

        MainSnapshotRun = await SnapshotAsync("main.bicepparam");
        OpsSnapshotRun = await SnapshotAsync("ops.bicepparam");
    }

    public Task DisposeAsync()
    {
        workDirectory?.Delete(recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Resources of an ARM template, whether it lists them (classic) or names them (languageVersion 2.0).</summary>
    public static IEnumerable<JsonObject> Resources(JsonObject template) =>
        template["resources"] switch
        {
            JsonArray array => array.OfType<JsonObject>(),
            JsonObject byName => byName.Select(p => p.Value).OfType<JsonObject>(),
            _ => [],
        };

    public static IEnumerable<JsonObject> Predicted(JsonObject snapshot) =>
        snapshot["predictedResources"]!.AsArray().OfType<JsonObject>();

    public static string ResourceGroupId => $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}";

    private Task<BicepResult> SnapshotAsync(string parametersFile) =>
        BicepCli.RunAsync(
            workDirectory!.FullName,
            "snapshot", parametersFile,
            "--mode", "overwrite",
            "--subscription-id", SubscriptionId,
            "--resource-group", ResourceGroup,
            "--location", Location,
            "--deployment-name", "abusedesk-test");

    private JsonObject ReadSnapshot(BicepResult run, string fileName)
    {
        Assert.True(run.ExitCode == 0, run.Transcript);
        Assert.True(string.IsNullOrWhiteSpace(run.StandardError), run.Transcript);
        var snapshot = JsonNode.Parse(File.ReadAllText(Path.Combine(workDirectory!.FullName, fileName)))!.AsObject();
        Assert.Empty(snapshot["diagnostics"]?.AsArray() ?? []);
        return snapshot;
    }

    private static void CopyDirectory(DirectoryInfo source, DirectoryInfo target)
    {
        foreach (var file in source.EnumerateFiles())
        {
            if (!file.Name.EndsWith(".snapshot.json", StringComparison.Ordinal))
            {
                file.CopyTo(Path.Combine(target.FullName, file.Name));
            }
        }

        foreach (var directory in source.EnumerateDirectories())
        {
            CopyDirectory(directory, target.CreateSubdirectory(directory.Name));
        }
    }
}
