using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace AbuseDesk.Package.Tests;

/// <summary>
/// Runs scripts/publish once per test class into a temporary folder, then starts the published executable
/// the way the Functions host would find it (host.json's defaultExecutablePath, working directory the package
/// root) against the Azurite that ./test started.
/// </summary>
public sealed class PublishedPackage : IAsyncLifetime
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(8);
    private readonly StringBuilder _appLog = new();
    private DirectoryInfo? _work;
    private Process? _app;

    public string OpsKey { get; } = "package-ops-" + Guid.NewGuid().ToString("N");

    public string Folder => Path.Combine(_work!.FullName, "package");

    public string ZipFile => Folder + ".zip";

    public int PublishExitCode { get; private set; }

    public string PublishOutput { get; private set; } = "";

    public TimeSpan PublishDuration { get; private set; }

    public JsonObject HostJson => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "host.json")))!.AsObject();

    public string ExecutableName =>
        HostJson["customHandler"]?["description"]?["defaultExecutablePath"]?.GetValue<string>()
        ?? throw new InvalidOperationException("host.json names no customHandler.description.defaultExecutablePath");

    public HttpClient Http { get; private set; } = null!;

    public string AppLog
    {
        get
        {
            lock (_appLog)
            {
                return _appLog.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        _work = Directory.CreateTempSubdirectory("abusedesk-package-");
        await PublishAsync();
        if (PublishExitCode == 0)
        {
            await StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_app is { HasExited: false })
        {
            _app.Kill(entireProcessTree: true);
            await _app.WaitForExitAsync();
        }

        _app?.Dispose();
        Http?.Dispose();
        _work?.Delete(recursive: true);
    }

    /// <summary>Fails the calling test with the publish transcript unless the publish succeeded.</summary>
    public void EnsurePublished() =>
        Assert.True(PublishExitCode == 0, $"scripts/publish exited {PublishExitCode}:\n{PublishOutput}");

    /// <summary>Fails the calling test with the app's log unless the published app is up.</summary>
    public void EnsureRunning()
    {
        EnsurePublished();
        Assert.True(_app is { HasExited: false }, $"the published app is not running:\n{AppLog}");
    }

    private async Task PublishAsync()
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepoPaths.Root, "scripts", "publish"), Folder])
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var clock = Stopwatch.StartNew();
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

        PublishDuration = clock.Elapsed;
        PublishExitCode = process.ExitCode;
        PublishOutput = await stdout + await stderr;
    }

    private async Task StartAsync()
    {
        var storage = Environment.GetEnvironmentVariable("ABUSEDESK_TEST_STORAGE")
            ?? throw new InvalidOperationException("ABUSEDESK_TEST_STORAGE is not set: run the tests with ./test, which starts Azurite");
        var port = FreePort();
        var start = new ProcessStartInfo(Path.Combine(Folder, ExecutableName))
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var env = start.Environment;
        foreach (var name in env.Keys.Where(k => k.StartsWith("ABUSEDESK", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_", StringComparison.Ordinal)).ToList())
        {
            env.Remove(name);
        }

        env["ABUSEDESK_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["ABUSEDESK_OPS_KEY"] = OpsKey;
        env["ABUSEDESK_DEMO"] = "0";
        env["AbuseDesk__Storage__ConnectionString"] = storage;
        // Azurite is shared with Functions.Tests' app: this one must not consume its queues. In Azure the
        // Functions host runs the triggers too, so this is how the package runs there.
        env["AbuseDesk__RunTriggersLocally"] = "false";
        // Self-contained means no installed runtime is needed: point the host at nothing to prove it.
        env["DOTNET_ROOT"] = Path.Combine(_work!.FullName, "no-dotnet-here");
        env["Logging__LogLevel__Default"] = "Warning";

        _app = Process.Start(start) ?? throw new InvalidOperationException("could not start the published app");
        _app.OutputDataReceived += (_, e) => Append(e.Data);
        _app.ErrorDataReceived += (_, e) => Append(e.Data);
        _app.BeginOutputReadLine();
        _app.BeginErrorReadLine();

        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !_app.HasExited)
        {
            try
            {
                using var response = await Http.GetAsync(new Uri("/api/health", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }
    }

    private void Append(string? line)
    {
        lock (_appLog)
        {
            _appLog.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
