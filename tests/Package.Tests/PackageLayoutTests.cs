using System.IO.Compression;
using System.Text.Json.Nodes;
using static AbuseDesk.Package.Tests.FunctionMetadata;

namespace AbuseDesk.Package.Tests;

/// <summary>
/// scripts/publish produces what the Functions host needs to run the .NET isolated worker on Flex Consumption
/// (runtime dotnet-isolated 10.0): host.json (queue settings, the Durable task hub), worker.config.json naming
/// the entry assembly and `dotnet`, a framework-dependent .NET 10 app, extensions.json and .azurefunctions/ with
/// the host-side binding extensions (Durable Task, Storage queues and blobs), the playbooks and the portal
/// assets, and the same files in the zip.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class PackageLayoutTests(PublishedPackage package)
{
    [Fact]
    public void Publish_script_succeeds_and_writes_the_folder_and_the_zip()
    {
        package.EnsurePublished();

        Assert.True(Directory.Exists(package.Folder), package.PublishOutput);
        Assert.True(File.Exists(package.ZipFile), package.PublishOutput);
        // The script counts the functions in functions.metadata and checks the worker worker.config.json names.
        Assert.Contains($"==> package: {package.Functions.Count} functions, worker AbuseDesk.Functions.dll", package.PublishOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_json_is_the_source_one_with_the_queue_settings_and_unprefixed_routes()
    {
        package.EnsurePublished();

        Assert.Equal(
            File.ReadAllText(Path.Combine(RepoPaths.FunctionsSource, "host.json")),
            File.ReadAllText(Path.Combine(package.Folder, "host.json")));
        var host = package.HostJson;
        Assert.Equal("2.0", Str(host["version"]));
        // Routes in functions.metadata carry their api/ or portal/ themselves.
        Assert.Equal("", Str(host["extensions"]?["http"]?["routePrefix"]));

        var queues = host["extensions"]?["queues"];
        Assert.NotNull(queues);
        Assert.Equal(16, queues["batchSize"]?.GetValue<int>());
        Assert.Equal(8, queues["newBatchThreshold"]?.GetValue<int>());
        Assert.Equal("00:00:02", Str(queues["maxPollingInterval"]));
        Assert.Equal("00:00:10", Str(queues["visibilityTimeout"]));
        // Five tries, then <queue>-poison (the poison alert and GET /api/ops/poison rely on it).
        Assert.Equal(5, queues["maxDequeueCount"]?.GetValue<int>());
        Assert.Equal("base64", Str(queues["messageEncoding"]));
    }

    [Fact]
    public void Host_json_names_the_durable_task_hub_and_keeps_nothing_of_the_custom_handler()
    {
        package.EnsurePublished();
        var host = package.HostJson;

        // Durable Functions' task hub in the app's storage account: the Azure Storage provider on the default
        // connection, AzureWebJobsStorage (identity-based in Azure, infra/bicep).
        var durable = host["extensions"]?["durableTask"];
        Assert.NotNull(durable);
        Assert.Equal("AbuseDesk", Str(durable["hubName"]));
        Assert.Null(durable["storageProvider"]?["connectionName"]);
        Assert.Null(durable["storageProvider"]?["type"]);
        // A dotnet-isolated app brings its binding extensions in .azurefunctions/ and is started from
        // worker.config.json: no extension bundle, no custom handler.
        Assert.Null(host["customHandler"]);
        Assert.Null(host["extensionBundle"]);
    }

    [Fact]
    public void Worker_config_starts_the_entry_assembly_with_dotnet()
    {
        package.EnsurePublished();
        var description = package.WorkerConfig["description"]!;

        Assert.Equal("dotnet-isolated", Str(description["language"]));
        Assert.Equal("dotnet", Str(description["defaultExecutablePath"]));
        Assert.Equal("AbuseDesk.Functions.dll", Str(description["defaultWorkerPath"]));
        Assert.True(File.Exists(Path.Combine(package.Folder, "AbuseDesk.Functions.dll")));
        // The host indexes functions from the worker (and functions.metadata), not from function.json folders.
        Assert.Equal("true", Str(description["workerIndexing"])?.ToLowerInvariant());
        Assert.True(File.Exists(Path.Combine(package.Folder, "functions.metadata")));
        Assert.Empty(Directory.EnumerateFiles(package.Folder, "function.json", SearchOption.AllDirectories));
    }

    [Fact]
    public void Package_is_framework_dependent_on_dotnet_10_and_asp_net_core()
    {
        package.EnsurePublished();
        var runtimeOptions = JsonNode.Parse(File.ReadAllText(Path.Combine(package.Folder, "AbuseDesk.Functions.runtimeconfig.json")))!["runtimeOptions"]!;

        // Flex Consumption's dotnet-isolated 10.0 brings the runtime (infra/bicep); the package brings none.
        Assert.Equal("net10.0", Str(runtimeOptions["tfm"]));
        var frameworks = runtimeOptions["frameworks"]?.AsArray().Select(f => Str(f!["name"])).ToList();
        Assert.NotNull(frameworks);
        Assert.Contains("Microsoft.NETCore.App", frameworks);
        Assert.Contains("Microsoft.AspNetCore.App", frameworks);
        Assert.Null(runtimeOptions["includedFrameworks"]);
        Assert.False(File.Exists(Path.Combine(package.Folder, "libcoreclr.so")), "a self-contained publish carries the runtime");
    }

    [Theory]
    [InlineData("DurableTask", "Microsoft.Azure.WebJobs.Extensions.DurableTask")]
    [InlineData("AzureStorageQueues", "Microsoft.Azure.WebJobs.Extensions.Storage.Queues")]
    [InlineData("AzureStorageBlobs", "Microsoft.Azure.WebJobs.Extensions.Storage.Blobs")]
    public void Host_loads_the_binding_extension_from_azurefunctions(string name, string assembly)
    {
        package.EnsurePublished();
        var extensions = package.ExtensionsJson["extensions"]!.AsArray().OfType<JsonObject>().ToList();

        var extension = Assert.Single(extensions, e => Str(e["name"]) == name);
        Assert.Contains($", {assembly}, Version=", Str(extension["typeName"]), StringComparison.Ordinal);
        Assert.Equal($"./.azurefunctions/{assembly}.dll", Str(extension["hintPath"]));
        Assert.True(File.Exists(Path.Combine(package.Folder, ".azurefunctions", $"{assembly}.dll")), $".azurefunctions/{assembly}.dll is missing");
    }

    [Fact]
    public void Every_extension_the_host_loads_is_in_the_package()
    {
        package.EnsurePublished();
        var hintPaths = package.ExtensionsJson["extensions"]!.AsArray().Select(e => Str(e!["hintPath"])).ToList();

        Assert.NotEmpty(hintPaths);
        Assert.All(hintPaths, path =>
        {
            Assert.StartsWith("./.azurefunctions/", path, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(package.Folder, path!)), $"extensions.json loads {path}, which is not in the package");
        });
    }

    [Fact]
    public void Http_triggers_run_on_asp_net_core_in_the_worker()
    {
        package.EnsurePublished();

        // HTTP triggers are built into the Functions host (no entry in extensions.json); the worker side is the
        // ASP.NET Core integration, which the host forwards requests to.
        Assert.True(File.Exists(Path.Combine(package.Folder, "Microsoft.Azure.Functions.Worker.Extensions.Http.AspNetCore.dll")));
        Assert.Contains(package.Functions, f => f.TriggerType == "httpTrigger");
    }

    [Fact]
    public void Package_carries_the_playbooks_and_portal_assets_but_no_developer_settings()
    {
        package.EnsurePublished();

        Assert.Equal(
            File.ReadAllText(Path.Combine(RepoPaths.FunctionsSource, "playbooks.yaml")),
            File.ReadAllText(Path.Combine(package.Folder, "playbooks.yaml")));
        Assert.Equal(
            File.ReadAllText(Path.Combine(RepoPaths.FunctionsSource, "Portal", "assets", "portal.css")),
            File.ReadAllText(Path.Combine(package.Folder, "Portal", "assets", "portal.css")));
        Assert.True(File.Exists(Path.Combine(package.Folder, "appsettings.json")));
        Assert.False(File.Exists(Path.Combine(package.Folder, "local.settings.json")), "local.settings.json must never ship");
    }

    [Fact]
    public void Zip_holds_the_package_at_its_root_with_the_azurefunctions_folder()
    {
        package.EnsurePublished();
        using var zip = ZipFile.OpenRead(package.ZipFile);
        var entries = zip.Entries.Where(e => !e.FullName.EndsWith('/')).Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(package.Folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(package.Folder, f).Replace('\\', '/'))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Equal(files.Order(StringComparer.Ordinal), entries.Order(StringComparer.Ordinal));
        foreach (var file in new[]
                 {
                     "host.json", "worker.config.json", "functions.metadata", "extensions.json", "AbuseDesk.Functions.dll",
                     ".azurefunctions/Microsoft.Azure.WebJobs.Extensions.DurableTask.dll", "playbooks.yaml", "Portal/assets/portal.css",
                 })
        {
            Assert.Contains(file, entries);
        }
    }
}
