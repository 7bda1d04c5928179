using Microsoft.Playwright;

namespace AbuseDesk.Functions.Tests.Portal;

/// <summary>
/// Debian's headless Chromium driven by Playwright. Playwright's own browser builds are never downloaded: ./test
/// installs the distribution's chromium and this points Playwright at it.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where each test's step screenshots land: the test output folder, kept after the run.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: run the tests with ./test, which installs Debian's chromium");
        }

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Directory.CreateDirectory(ScreenshotFolder);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // The test machine runs as root, where Chromium's sandbox cannot start.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>
    /// A fresh customer: own cookies, own client address (through X-Forwarded-For, which the suite's app trusts from
    /// loopback: see DeskApp.Configure), so the portal's per-address limit counts each test on its own.
    /// </summary>
    public async Task<IBrowserContext> CustomerAsync(int width = 1024, int height = 768) =>
        await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Forwarded-For"] = PortalCases.RandomClientAddress() },
            JavaScriptEnabled = true,
        });

    public static async Task ShotAsync(IPage page, string test, string step) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"{test}-{step}.png"), FullPage = true });
}
