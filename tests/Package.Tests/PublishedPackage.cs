using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AbuseDesk.Package.Tests;

/// <summary>
/// Runs scripts/publish once into a temporary folder and reads what it produced, as Azure gets it. Nothing is
/// started: an isolated worker runs only under the Functions host, which is not available here, so the tests
/// check the files the host reads (host.json, worker.config.json, functions.metadata, extensions.json and
/// .azurefunctions/) instead.
/// </summary>
public sealed class PublishedPackage : IAsyncLifetime
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(8);
    private DirectoryInfo? _work;

    public string Folder => Path.Combine(_work!.FullName, "package");

    public string ZipFile => Folder + ".zip";

    public int PublishExitCode { get; private set; }

    public string PublishOutput { get; private set; } = "";

    public JsonObject HostJson => ReadObject("host.json");

    public JsonObject WorkerConfig => ReadObject("worker.config.json");

    public JsonObject ExtensionsJson => ReadObject("extensions.json");

    /// <summary>functions.metadata: what the host indexes the worker's functions from, one entry per function.</summary>
    public IReadOnlyList<FunctionMetadata> Functions =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "functions.metadata")))!.AsArray()
            .OfType<JsonObject>()
            .Select(FunctionMetadata.From)
            .ToList();

    public async Task InitializeAsync()
    {
        _work = Directory.CreateTempSubdirectory("abusedesk-package-");
        await PublishAsync();
    }

    public Task DisposeAsync()
    {
        _work?.Delete(recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Fails the calling test with the publish transcript unless the publish succeeded.</summary>
    public void EnsurePublished() =>
        Assert.True(PublishExitCode == 0, $"scripts/publish exited {PublishExitCode}:\n{PublishOutput}");

    private JsonObject ReadObject(string file)
    {
        var path = Path.Combine(Folder, file);
        Assert.True(File.Exists(path), $"{file} is not in the package");
        return JsonNode.Parse(File.ReadAllText(path))!.AsObject();
    }

    private async Task PublishAsync()
    {
        // scripts/publish builds in artifacts/publish-build (its own --artifacts-path), never in src/*/obj.
        var start = new ProcessStartInfo("bash", [Path.Combine(RepoPaths.Root, "scripts", "publish"), Folder])
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start scripts/publish");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(PublishTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"scripts/publish did not finish within {PublishTimeout}");
        }

        PublishExitCode = process.ExitCode;
        PublishOutput = await stdout + await stderr;
    }
}
