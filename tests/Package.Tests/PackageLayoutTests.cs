using System.IO.Compression;
using System.Text.Json.Nodes;

namespace AbuseDesk.Package.Tests;

/// <summary>
/// scripts/publish produces what the Functions host needs to run the custom handler: host.json at the root,
/// one folder per function with its function.json, the executable host.json names (a self-contained Linux
/// binary with its execute bit, also inside the zip), the playbooks and the portal assets.
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
        Assert.Contains("==> package:", package.PublishOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_json_at_the_root_is_the_source_one_and_configures_the_custom_handler()
    {
        package.EnsurePublished();

        Assert.Equal(
            File.ReadAllText(Path.Combine(RepoPaths.FunctionsSource, "host.json")),
            File.ReadAllText(Path.Combine(package.Folder, "host.json")));
        var handler = package.HostJson["customHandler"]!;
        Assert.True(handler["enableForwardingHttpRequest"]!.GetValue<bool>());
        Assert.Equal("", package.HostJson["extensions"]?["http"]?["routePrefix"]?.GetValue<string>());
    }

    [Fact]
    public void Executable_named_in_host_json_is_an_executable_linux_binary()
    {
        package.EnsurePublished();
        var path = Path.Combine(package.Folder, package.ExecutableName);

        Assert.True(File.Exists(path), $"host.json names {package.ExecutableName}, which is not in the package");
        Assert.NotEqual(UnixFileMode.None, File.GetUnixFileMode(path) & UnixFileMode.UserExecute);
        var magic = new byte[4];
        using (var file = File.OpenRead(path))
        {
            file.ReadExactly(magic);
        }

        Assert.Equal("\u007fELF"u8.ToArray(), magic);
    }

    [Fact]
    public void Every_function_folder_has_its_function_json_unchanged()
    {
        package.EnsurePublished();
        var source = FunctionJson.In(RepoPaths.FunctionsSource);

        Assert.NotEmpty(source);
        Assert.Equal(source.Select(f => f.Name), FunctionJson.In(package.Folder).Select(f => f.Name));
        Assert.All(source, f => Assert.Equal(
            File.ReadAllText(Path.Combine(RepoPaths.FunctionsSource, f.Name, "function.json")),
            File.ReadAllText(Path.Combine(package.Folder, f.Name, "function.json"))));
    }

    [Fact]
    public void Package_is_self_contained_for_linux_x64()
    {
        package.EnsurePublished();
        var runtimeConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(package.Folder, "AbuseDesk.Functions.runtimeconfig.json")))!;

        // A framework-dependent app lists "frameworks" for an installed runtime to satisfy; a self-contained one
        // lists what it carries.
        var included = runtimeConfig["runtimeOptions"]?["includedFrameworks"]?.AsArray().Select(f => f!["name"]!.GetValue<string>()).ToList();
        Assert.NotNull(included);
        Assert.Contains("Microsoft.NETCore.App", included);
        Assert.Contains("Microsoft.AspNetCore.App", included);
        Assert.Null(runtimeConfig["runtimeOptions"]?["frameworks"]);
        Assert.True(File.Exists(Path.Combine(package.Folder, "libcoreclr.so")));
        Assert.True(File.Exists(Path.Combine(package.Folder, "Microsoft.AspNetCore.dll")));
    }

    [Fact]
    public void Package_carries_the_playbooks_and_portal_assets_but_no_developer_settings()
    {
        package.EnsurePublished();

        Assert.Equal(
            File.ReadAllText(Path.Combine(RepoPaths.FunctionsSource, "playbooks.yaml")),
            File.ReadAllText(Path.Combine(package.Folder, "playbooks.yaml")));
        Assert.True(File.Exists(Path.Combine(package.Folder, "Portal", "assets", "portal.css")));
        Assert.True(File.Exists(Path.Combine(package.Folder, "appsettings.json")));
        Assert.False(File.Exists(Path.Combine(package.Folder, "local.settings.json")), "local.settings.json must never ship");
    }

    [Fact]
    public void Zip_holds_the_package_at_its_root_with_the_execute_bit()
    {
        package.EnsurePublished();
        using var zip = ZipFile.OpenRead(package.ZipFile);
        var entries = zip.Entries.Where(e => !e.FullName.EndsWith('/')).ToDictionary(e => e.FullName, StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(package.Folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(package.Folder, f).Replace('\\', '/'))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Equal(files.Order(StringComparer.Ordinal), entries.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("host.json", entries.Keys);
        Assert.All(FunctionJson.In(package.Folder), f => Assert.Contains($"{f.Name}/function.json", entries.Keys));
        // Unix mode bits live in the high 16 bits of the external attributes; without the execute bit the
        // host cannot start the handler.
        var mode = (UnixFileMode)((entries[package.ExecutableName].ExternalAttributes >> 16) & 0x1FF);
        Assert.NotEqual(UnixFileMode.None, mode & UnixFileMode.UserExecute);
    }
}
