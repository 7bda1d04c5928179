using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static AbuseDesk.Infra.Tests.ArmJson;

namespace AbuseDesk.Infra.Tests;

/// <summary>
/// infra/bicep compiles and lints clean with the pinned Bicep CLI, and declares what the function app
/// needs: a Linux .NET 10 isolated-worker app on Flex Consumption, storage that only takes Entra ID (no shared
/// key anywhere), workspace-based Application Insights, and a user-assigned identity holding the storage data
/// roles the host, its Storage extensions and Durable Functions' Azure Storage provider need.
/// </summary>
[Collection(InfraCollection.Name)]
public sealed partial class BicepTemplateTests(CompiledInfra infra)
{
    private const string MainBicep = "infra/bicep/main.bicep";
    private const string MainBicepParam = "infra/bicep/main.bicepparam";

    // Built-in role definitions.
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string StorageBlobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    private const string StorageQueueDataReader = "19e7f393-937e-4f77-808e-94535e297925";
    private const string StorageTableDataReader = "76199698-9eea-4c19-bc75-cec21354c6b6";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    // ---- the CLI's verdict -------------------------------------------------------------------------

    [Fact]
    public void Main_template_builds_without_errors_or_warnings()
    {
        Assert.True(infra.Build.ExitCode == 0, infra.Build.Transcript);
        Assert.True(string.IsNullOrWhiteSpace(infra.Build.StandardError), infra.Build.Transcript);
        Assert.Contains("deploymentTemplate.json", Str(infra.Template["$schema"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Linter_reports_nothing()
    {
        // `bicep lint` exits 0 on warnings, so the output itself must be empty.
        var lint = await BicepCli.RunAsync(RepoPaths.Root, "lint", MainBicep);

        Assert.True(lint.ExitCode == 0, lint.Transcript);
        Assert.True(
            string.IsNullOrWhiteSpace(lint.StandardOutput) && string.IsNullOrWhiteSpace(lint.StandardError),
            lint.Transcript);
    }

    [Fact]
    public async Task Example_parameters_file_builds_against_the_template()
    {
        var run = await BicepCli.RunAsync(RepoPaths.Root, "build-params", MainBicepParam, "--stdout");

        Assert.True(run.ExitCode == 0, run.Transcript);
        Assert.True(string.IsNullOrWhiteSpace(run.StandardError), run.Transcript);
        var parametersJson = Str(JsonNode.Parse(run.StandardOutput)?["parametersJson"]);
        var parameters = JsonNode.Parse(parametersJson!)!["parameters"]!.AsObject();
        Assert.False(string.IsNullOrWhiteSpace(Str(parameters["environmentName"]?["value"])));
        Assert.False(string.IsNullOrWhiteSpace(Str(parameters["deploymentStorageContainerName"]?["value"])));
    }

    [Theory]
    [InlineData(MainBicep)]
    [InlineData(MainBicepParam)]
    public async Task Bicep_files_are_formatted(string file)
    {
        var run = await BicepCli.RunAsync(RepoPaths.Root, "format", file, "--stdout");

        Assert.True(run.ExitCode == 0, run.Transcript);
        var onDisk = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, file));
        Assert.True(
            string.Equals(onDisk, run.StandardOutput, StringComparison.Ordinal),
            $"{file} is not formatted: run `bicep format {file}`.");
    }

    // ---- the compiled ARM template -----------------------------------------------------------------

    [Fact]
    public void Function_app_is_a_linux_dotnet_isolated_app_on_a_flex_consumption_plan()
    {
        var resources = CompiledInfra.Resources(infra.Template).ToList();

        var plan = Single(resources, "Microsoft.Web/serverfarms");
        Assert.Equal("FC1", Str(plan["sku"]?["name"]));
        Assert.Equal("FlexConsumption", Str(plan["sku"]?["tier"]));
        Assert.Equal("functionapp", Str(plan["kind"]));
        Assert.True(Bool(plan["properties"]?["reserved"]));

        var site = Single(resources, "Microsoft.Web/sites");
        Assert.Equal(["functionapp", "linux"], Str(site["kind"])!.Split(',').Order());
        Assert.Equal("UserAssigned", Str(site["identity"]?["type"]));
        var properties = site["properties"]!;
        Assert.True(Bool(properties["httpsOnly"]));
        Assert.Equal("1.2", Str(properties["siteConfig"]?["minTlsVersion"]));
        Assert.Equal("Disabled", Str(properties["siteConfig"]?["ftpsState"]));

        var functionAppConfig = properties["functionAppConfig"];
        Assert.Equal("dotnet-isolated", Str(functionAppConfig?["runtime"]?["name"]));
        Assert.Equal("10.0", Str(functionAppConfig?["runtime"]?["version"]));
        var deploymentStorage = functionAppConfig?["deployment"]?["storage"];
        Assert.Equal("blobContainer", Str(deploymentStorage?["type"]));
        Assert.Equal("UserAssignedIdentity", Str(deploymentStorage?["authentication"]?["type"]));
        Assert.NotNull(functionAppConfig?["scaleAndConcurrency"]?["maximumInstanceCount"]);
    }

    [Fact]
    public void Storage_account_takes_only_entra_id_over_https()
    {
        var storage = Single(CompiledInfra.Resources(infra.Template), "Microsoft.Storage/storageAccounts");

        Assert.Equal("StorageV2", Str(storage["kind"]));
        Assert.Equal("Standard_LRS", Str(storage["sku"]?["name"]));
        var properties = storage["properties"]!;
        Assert.False(Bool(properties["allowSharedKeyAccess"]));
        Assert.False(Bool(properties["allowBlobPublicAccess"]));
        Assert.True(Bool(properties["supportsHttpsTrafficOnly"]));
        Assert.Equal("TLS1_2", Str(properties["minimumTlsVersion"]));
    }

    [Fact]
    public void Application_insights_is_workspace_based()
    {
        var resources = CompiledInfra.Resources(infra.Template).ToList();

        Single(resources, "Microsoft.OperationalInsights/workspaces");
        var component = Single(resources, "Microsoft.Insights/components");
        Assert.Equal("web", Str(component["properties"]?["Application_Type"]));
        Assert.Contains(
            "Microsoft.OperationalInsights/workspaces",
            Str(component["properties"]?["WorkspaceResourceId"]),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Template_declares_role_assignments_for_the_identity()
    {
        var resources = CompiledInfra.Resources(infra.Template).ToList();

        Single(resources, "Microsoft.ManagedIdentity/userAssignedIdentities");
        var assignments = OfType(resources, "Microsoft.Authorization/roleAssignments").ToList();
        Assert.Contains(assignments, a =>
            Str(a["properties"]?["principalId"])?.Contains("Microsoft.ManagedIdentity/userAssignedIdentities", StringComparison.Ordinal) == true);
        Assert.All(assignments, a => Assert.StartsWith("[guid(", Str(a["name"]), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("functionAppName")]
    [InlineData("functionAppDefaultHostName")]
    [InlineData("storageAccountName")]
    [InlineData("keyVaultName")]
    [InlineData("emailSenderAddress")]
    public void Template_outputs(string name) =>
        Assert.Equal("string", Str(infra.Template["outputs"]?[name]?["type"]));

    // ---- an evaluated deployment (bicep snapshot) -----------------------------------------------------

    [Fact]
    public void Identity_holds_exactly_the_storage_data_roles_and_may_publish_telemetry()
    {
        var predicted = CompiledInfra.Predicted(infra.MainSnapshot).ToList();
        var storageId = Id(Single(predicted, "Microsoft.Storage/storageAccounts"));
        var appInsightsId = Id(Single(predicted, "Microsoft.Insights/components"));
        var identityId = Id(Single(predicted, "Microsoft.ManagedIdentity/userAssignedIdentities"));

        var onStorage = AssignmentsOn(predicted, storageId);
        Assert.All(onStorage, a =>
        {
            Assert.Contains(identityId, Str(a["properties"]?["principalId"]), StringComparison.Ordinal);
            Assert.Equal("ServicePrincipal", Str(a["properties"]?["principalType"]));
            Assert.True(Guid.TryParse(Str(a["name"]), out _), "role assignment names come from guid()");
        });
        Assert.Equal(
            new[] { StorageBlobDataOwner, StorageQueueDataContributor, StorageTableDataContributor }.Order(StringComparer.Ordinal),
            onStorage.Select(RoleDefinitionGuid).Order(StringComparer.Ordinal));

        var onAppInsights = Assert.Single(AssignmentsOn(predicted, appInsightsId));
        Assert.Equal(MonitoringMetricsPublisher, RoleDefinitionGuid(onAppInsights));
        Assert.Contains(identityId, Str(onAppInsights["properties"]?["principalId"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Storage Blob Data Owner", StorageBlobDataOwner)]
    [InlineData("Storage Queue Data Contributor", StorageQueueDataContributor)]
    [InlineData("Storage Table Data Contributor", StorageTableDataContributor)]
    public void App_identity_holds_the_storage_data_role_durable_functions_needs(string role, string roleId)
    {
        // Durable Functions' Azure Storage provider keeps its task hub in blobs (leases, large messages), queues
        // (control and work items) and tables (History, Instances), on the AzureWebJobsStorage connection.
        foreach (var snapshot in new[] { infra.MainSnapshot, infra.FullSnapshot })
        {
            var predicted = CompiledInfra.Predicted(snapshot).ToList();
            var storageId = Id(Single(predicted, "Microsoft.Storage/storageAccounts"));
            var identityId = Id(Single(predicted, "Microsoft.ManagedIdentity/userAssignedIdentities"));

            var assignment = Assert.Single(
                AssignmentsOn(predicted, storageId),
                a => RoleDefinitionGuid(a) == roleId
                    && Str(a["properties"]?["principalId"]) == $"[reference('{identityId}', '2023-01-31').principalId]");
            Assert.True(
                Str(assignment["properties"]?["roleDefinitionId"]) ==
                    $"/subscriptions/{CompiledInfra.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{roleId}",
                $"{role} must be the built-in role {roleId}");
            Assert.Equal("ServicePrincipal", Str(assignment["properties"]?["principalType"]));
        }
    }

    [Fact]
    public void Ops_group_gets_read_only_data_roles_when_named()
    {
        var predicted = CompiledInfra.Predicted(infra.FullSnapshot).ToList();
        var storageId = Id(Single(predicted, "Microsoft.Storage/storageAccounts"));

        var forOps = AssignmentsOn(predicted, storageId)
            .Where(a => Str(a["properties"]?["principalId"]) == CompiledInfra.OpsPrincipalId)
            .ToList();
        Assert.All(forOps, a => Assert.Equal("Group", Str(a["properties"]?["principalType"])));
        Assert.Equal(
            new[] { StorageBlobDataReader, StorageQueueDataReader, StorageTableDataReader }.Order(StringComparer.Ordinal),
            forOps.Select(RoleDefinitionGuid).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void App_settings_reach_storage_and_application_insights_through_the_identity()
    {
        var predicted = CompiledInfra.Predicted(infra.MainSnapshot).ToList();
        var storageName = Str(Single(predicted, "Microsoft.Storage/storageAccounts")["name"]);
        var identityId = Id(Single(predicted, "Microsoft.ManagedIdentity/userAssignedIdentities"));
        var appInsightsId = Id(Single(predicted, "Microsoft.Insights/components"));
        var settings = AppSettings(predicted);

        Assert.Equal(storageName, Str(settings["AzureWebJobsStorage__accountName"]));
        Assert.Equal("managedidentity", Str(settings["AzureWebJobsStorage__credential"]));
        AssertClientIdOf(identityId, settings["AzureWebJobsStorage__clientId"]);
        Assert.Equal($"[reference('{appInsightsId}', '2020-02-02').ConnectionString]", Str(settings["APPLICATIONINSIGHTS_CONNECTION_STRING"]));
        Assert.Equal(storageName, Str(settings["AbuseDesk__Storage__AccountName"]));
        AssertClientIdOf(identityId, settings["AbuseDesk__Storage__ClientId"]);

        // Flex Consumption takes the runtime from functionAppConfig and never uses keys or file shares.
        foreach (var forbidden in new[]
                 {
                     "AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION",
                     "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE",
                 })
        {
            Assert.False(settings.ContainsKey(forbidden), $"app setting {forbidden} must not be set");
        }

        Assert.DoesNotContain(settings, s => Str(s.Value)?.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase) == true);
    }

    [Fact]
    public void No_shared_key_is_allowed_or_used_anywhere()
    {
        // The template lists exactly one set of keys: the function host's (the blob extension's webhook key).
        var listKeys = Strings(infra.Template).Where(e => e.Contains("listKeys(", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(listKeys);
        Assert.All(listKeys, e => Assert.Contains("listKeys(format('{0}/host/default', resourceId('Microsoft.Web/sites'", e, StringComparison.Ordinal));
        Assert.DoesNotContain(Strings(infra.Template), e =>
            e.Contains("listAccountSas(", StringComparison.OrdinalIgnoreCase) || e.Contains("listServiceSas(", StringComparison.OrdinalIgnoreCase));

        foreach (var (snapshot, withBlobEvents) in new[] { (infra.MainSnapshot, false), (infra.FullSnapshot, true) })
        {
            var predicted = CompiledInfra.Predicted(snapshot).ToList();
            var storage = Single(predicted, "Microsoft.Storage/storageAccounts")["properties"]!;
            Assert.False(Bool(storage["allowSharedKeyAccess"]));
            Assert.True(Bool(storage["defaultToOAuthAuthentication"]));

            var listed = Strings(snapshot).SelectMany(e => ListKeysTargets().Matches(e)).Select(m => m.Groups["target"].Value).ToList();
            Assert.Equal(withBlobEvents, listed.Count > 0);
            Assert.All(listed, target => Assert.Matches("^/subscriptions/[^']*/providers/Microsoft.Web/sites/[^/']+/host/default$", target));

            var settings = AppSettings(predicted);
            Assert.False(settings.ContainsKey("AzureWebJobsStorage"), "AzureWebJobsStorage would be a connection string");
            Assert.Equal("managedidentity", Str(settings["AzureWebJobsStorage__credential"]));
            Assert.False(settings.ContainsKey("AbuseDesk__Storage__ConnectionString"), "the app must reach storage through the identity");
            Assert.All(settings, s =>
            {
                var value = Str(s.Value) ?? "";
                Assert.DoesNotContain("AccountKey=", value, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("SharedAccessSignature=", value, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("UseDevelopmentStorage", value, StringComparison.OrdinalIgnoreCase);
            });

            var deployment = Single(predicted, "Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!;
            Assert.Equal("UserAssignedIdentity", Str(deployment["authentication"]?["type"]));
            Assert.Null(deployment["authentication"]?["storageAccountConnectionStringName"]);
        }
    }

    [Fact]
    public void Flex_deployment_uses_the_package_container_and_the_identity()
    {
        var predicted = CompiledInfra.Predicted(infra.MainSnapshot).ToList();
        var storageId = Id(Single(predicted, "Microsoft.Storage/storageAccounts"));
        var identityId = Id(Single(predicted, "Microsoft.ManagedIdentity/userAssignedIdentities"));
        var site = Single(predicted, "Microsoft.Web/sites");
        var config = site["properties"]!["functionAppConfig"]!;

        Assert.NotNull(site["identity"]?["userAssignedIdentities"]?[identityId]);
        var deploymentStorage = config["deployment"]!["storage"]!;
        Assert.Equal(identityId, Str(deploymentStorage["authentication"]?["userAssignedIdentityResourceId"]));
        var packageUrl = Str(deploymentStorage["value"])!;
        Assert.Contains($"reference('{storageId}'", packageUrl, StringComparison.Ordinal);
        Assert.Contains(".primaryEndpoints.blob, 'app-package')", packageUrl, StringComparison.Ordinal);
        Assert.Equal(2048, config["scaleAndConcurrency"]?["instanceMemoryMB"]?.GetValue<int>());
        Assert.Contains("app-package", ChildNames(predicted, "Microsoft.Storage/storageAccounts/blobServices/containers"));
    }

    [Fact]
    public void Containers_and_queues_of_the_app_are_declared()
    {
        var predicted = CompiledInfra.Predicted(infra.MainSnapshot).ToList();

        Assert.Contains("reports", ChildNames(predicted, "Microsoft.Storage/storageAccounts/blobServices/containers"));
        Assert.Superset(
            new HashSet<string>(["reports-parse", "email-outbox", "feedback-outbox", "suspensions"]),
            ChildNames(predicted, "Microsoft.Storage/storageAccounts/queueServices/queues").ToHashSet());
    }

    [Fact]
    public void Every_queue_and_container_a_trigger_reads_is_declared()
    {
        var predicted = CompiledInfra.Predicted(infra.MainSnapshot).ToList();
        var queues = ChildNames(predicted, "Microsoft.Storage/storageAccounts/queueServices/queues").ToHashSet(StringComparer.Ordinal);
        var containers = ChildNames(predicted, "Microsoft.Storage/storageAccounts/blobServices/containers").ToHashSet(StringComparer.Ordinal);
        var triggers = FunctionsApp.Metadata()
            .SelectMany(f => f["bindings"]!.AsArray().OfType<JsonObject>().Select(b => (Function: Str(f["name"]), Binding: b)))
            .ToList();

        var queueTriggers = triggers.Where(t => Str(t.Binding["type"]) == "queueTrigger").ToList();
        Assert.NotEmpty(queueTriggers);
        Assert.All(queueTriggers, t => Assert.True(
            queues.Contains(Str(t.Binding["queueName"])!),
            $"{t.Function} reads queue {Str(t.Binding["queueName"])}, which the template does not declare"));

        var blobTriggers = triggers.Where(t => Str(t.Binding["type"]) == "blobTrigger").ToList();
        Assert.NotEmpty(blobTriggers);
        Assert.All(blobTriggers, t => Assert.True(
            containers.Contains(Str(t.Binding["path"])!.Split('/')[0]),
            $"{t.Function} watches {Str(t.Binding["path"])}, whose container the template does not declare"));
    }

    [Fact]
    public void Resource_names_are_valid_and_in_the_resource_group()
    {
        var predicted = CompiledInfra.Predicted(infra.MainSnapshot).ToList();

        Assert.Matches(StorageAccountName(), Str(Single(predicted, "Microsoft.Storage/storageAccounts")["name"]));
        var siteName = Str(Single(predicted, "Microsoft.Web/sites")["name"])!;
        Assert.InRange(siteName.Length, 2, 60);
        Assert.StartsWith(CompiledInfra.ResourceGroupId, Id(Single(predicted, "Microsoft.Web/sites")), StringComparison.Ordinal);
        Assert.Equal(siteName, Str(infra.MainSnapshot["outputs"]?["functionAppName"]));
    }

    // ---- helpers -------------------------------------------------------------------------------------

    [GeneratedRegex("^[a-z0-9]{3,24}$")]
    private static partial Regex StorageAccountName();

    /// <summary>What a <c>listKeys('&lt;id&gt;', ...)</c> in an evaluated template lists the keys of.</summary>
    [GeneratedRegex(@"listKeys\('(?<target>[^']*)'")]
    private static partial Regex ListKeysTargets();

    private static void AssertClientIdOf(string identityId, JsonNode? setting) =>
        Assert.Equal($"[reference('{identityId}', '2023-01-31').clientId]", Str(setting));
}
