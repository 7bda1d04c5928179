using System.Text.Json.Nodes;

namespace AbuseDesk.Infra.Tests;

/// <summary>
/// Runs the Bicep CLI once per test class: builds infra/bicep/main.bicep to an ARM template, and takes
/// deployment snapshots (the template evaluated offline against a made-up subscription and resource
/// group: loops unrolled, names and ids computed, only runtime values such as reference() left as
/// expressions) for main.bicepparam and for a parameter file that sets every optional part (ops group, SMTP
/// Entra app, secrets, a second link-signing key, the Event Grid subscription). Snapshots are taken
/// in a temporary copy of infra/bicep, because `bicep snapshot` writes its file beside the parameters.
/// </summary>
public sealed class CompiledInfra : IAsyncLifetime
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000abcd";
    public const string ResourceGroup = "rg-abusedesk-test";
    public const string Location = "westeurope";
    public const string OpsPrincipalId = "11111111-2222-3333-4444-555555555555";
    public const string SmtpApplicationId = "22222222-3333-4444-5555-666666666666";
    public const string SmtpServicePrincipalId = "33333333-4444-5555-6666-777777777777";
    public const int FullRetentionDays = 30;

    private DirectoryInfo? workDirectory;

    public BicepResult Build { get; private set; } = null!;

    public BicepResult MainSnapshotRun { get; private set; } = null!;

    public BicepResult FullSnapshotRun { get; private set; } = null!;

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

    /// <summary>The snapshot of a deployment with every optional part switched on.</summary>
    public JsonObject FullSnapshot => ReadSnapshot(FullSnapshotRun, "full.snapshot.json");

    public async Task InitializeAsync()
    {
        Build = await BicepCli.RunAsync(RepoPaths.Root, "build", "infra/bicep/main.bicep", "--stdout");

        workDirectory = Directory.CreateTempSubdirectory("abusedesk-bicep-");
        CopyDirectory(new DirectoryInfo(RepoPaths.InfraBicep), workDirectory);
        await File.WriteAllTextAsync(
            Path.Combine(workDirectory.FullName, "full.bicepparam"),
            $"""
            using 'main.bicep'

            param environmentName = 'test'
            param deploymentStorageContainerName = 'app-package'
            param opsPrincipalId = '{OpsPrincipalId}'
            param opsPrincipalType = 'Group'
            param opsAlertEmail = 'ops@provider.test'
            param abuseMailbox = 'abuse@provider.test'
            param smtpEntraApplicationId = '{SmtpApplicationId}'
            param smtpServicePrincipalObjectId = '{SmtpServicePrincipalId}'
            param smtpUsername = 'desk-smtp'
            param smtpPassword = 'client-secret'
            param tokenKeyIds = ['k1', 'k2']
            param activeTokenKeyId = 'k2'
            param tokenSigningKey = 'bmV3LXNpZ25pbmcta2V5LTAxMjM0NTY3ODlhYmNkZWYwMTIz'
            param opsKey = 'ops-key'
            param rawReportRetentionDays = {FullRetentionDays}
            param blobEventSubscription = true
            param publicUrl = 'https://abuse.provider.test'

            """);

        MainSnapshotRun = await SnapshotAsync("main.bicepparam");
        FullSnapshotRun = await SnapshotAsync("full.bicepparam");
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

/// <summary>One build and two snapshots (several seconds of Bicep CLI) shared by every infra test class.</summary>
[CollectionDefinition(Name)]
public sealed class InfraCollection : ICollectionFixture<CompiledInfra>
{
    public const string Name = "infra";
}
