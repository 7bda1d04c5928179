using AbuseDesk.Domain.Cases;
using AbuseDesk.Functions;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Demo;
using AbuseDesk.Functions.Feedback;
using AbuseDesk.Functions.Health;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Intake;
using AbuseDesk.Functions.Notifications;
using AbuseDesk.Functions.Ops;
using AbuseDesk.Functions.Ownership;
using AbuseDesk.Functions.Parsing;
using AbuseDesk.Functions.Portal;
using AbuseDesk.Functions.Storage;
using AbuseDesk.Functions.Telemetry;
using Microsoft.Extensions.Options;

var localSettings = LocalSettings.Apply();
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// The short environment names that CONTRACT.md promises, mapped onto configuration keys.
var shortNames = new Dictionary<string, string>
{
    ["ABUSEDESK_OPS_KEY"] = "AbuseDesk:Ops:Key",
    ["ABUSEDESK_DEMO_REPORTER_KEY"] = "AbuseDesk:Demo:ReporterKey",
    ["ABUSEDESK_PLAYBOOKS"] = "AbuseDesk:Playbooks",
    ["ABUSEDESK_PUBLIC_URL"] = "AbuseDesk:PublicUrl",
};
var mapped = shortNames
    .Where(n => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(n.Key)))
    .ToDictionary(n => n.Value, n => Environment.GetEnvironmentVariable(n.Key));
if (Environment.GetEnvironmentVariable("ABUSEDESK_DEMO") is "1" or "true")
{
    mapped["AbuseDesk:Demo:Enabled"] = "true";
}

builder.Configuration.AddInMemoryCollection(mapped);

// In Azure the Functions host tells the custom handler its port; locally ABUSEDESK_PORT or 7071.
var hostPort = Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT");
var port = hostPort ?? Environment.GetEnvironmentVariable("ABUSEDESK_PORT") ?? "7071";
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
// Bodies are bounded per route by the handlers themselves (reports: configured limit → 413).
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);

builder.Services.AddOptions<AbuseDeskOptions>()
    .Bind(builder.Configuration.GetSection(AbuseDeskOptions.Section))
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddProblemDetails();
builder.AddDeskTelemetry();
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new UtcDateTimeOffsetConverter()));

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<StorageCalls>();
builder.Services.AddSingleton(services => new DeskStorage(services.GetRequiredService<IOptions<AbuseDeskOptions>>(), services.GetRequiredService<StorageCalls>()));
builder.Services.AddHostedService<StorageCallLog>();
builder.Services.AddSingleton(new FunctionManifest(AppContext.BaseDirectory, builder.Configuration));
builder.Services.AddSingleton(sp => PlaybookProvider.Load(sp.GetRequiredService<IOptions<AbuseDeskOptions>>()));
builder.Services.AddSingleton<Reporters>();
builder.Services.AddSingleton<AcceptReport>();
builder.Services.AddSingleton<RefusedDrops>();
builder.Services.AddSingleton<ReportQueries>();
builder.Services.AddSingleton<OpsKey>();
builder.Services.AddSingleton<ReparseReport>();
builder.Services.AddSingleton<OpsAudit>();
builder.Services.AddSingleton<CustomerDirectory>();
builder.Services.AddSingleton<WorkQueues>();
builder.Services.AddSingleton<PoisonQueues>();
builder.Services.AddSingleton<AllocationStore>();
builder.Services.AddSingleton<AssignEvents>();
builder.Services.AddSingleton<CaseLinks>();
builder.Services.AddPortal(builder.Configuration);
builder.Services.AddSingleton<RecentCaseRows>();
builder.Services.AddSingleton<CaseTransitions>();
builder.Services.AddSingleton<SendCustomerDigest>();
builder.Services.AddSingleton<TimerWheel>();
builder.Services.AddSingleton<SafetyStore>();
builder.Services.AddHttpClient("platform", client => client.Timeout = TimeSpan.FromSeconds(30));
builder.Services.AddSingleton<CaseQueries>();
builder.Services.AddSingleton<SmtpMailer>();
builder.Services.AddSingleton<MailRateLimiter>();
builder.Services.AddSingleton<DemoData>();
builder.Services.AddSingleton<FeedbackMails>();
builder.Services.AddSingleton<SendReportParsedFeedback>();
builder.Services.AddSingleton<SendCasesEndedFeedback>();
builder.Services.AddSingleton<ReportEventOutcomes>();
builder.Services.AddSingleton<ITriggeredFunction, ParseReport>();
builder.Services.AddSingleton<ITriggeredFunction, RunCaseWorkflow>();
builder.Services.AddSingleton<SendEmail>();
builder.Services.AddSingleton<ITriggeredFunction>(services => services.GetRequiredService<SendEmail>());
builder.Services.AddSingleton<ITriggeredFunction, IngestDroppedReport>();
builder.Services.AddSingleton<ITriggeredFunction, CallPlatformWebhook>();
builder.Services.AddSingleton<ITriggeredFunction, SweepOutbox>();
builder.Services.AddSingleton<ITriggeredFunction, RunReporterFeedback>();

var runTriggersLocally = builder.Configuration.GetValue<bool?>("AbuseDesk:RunTriggersLocally") ?? hostPort is null;
if (runTriggersLocally)
{
    builder.Services.AddHostedService<QueueTriggerRunner>();
    builder.Services.AddHostedService<BlobTriggerRunner>();
    builder.Services.AddHostedService<TimerTriggerRunner>();
}

var app = builder.Build();
DeskMetrics.ReadBreakerWith(async ct => (await app.Services.GetRequiredService<SafetyStore>().BreakerAsync(ct))?.Open ?? false);

// Fail start-up, not the first request, on a bad playbook file or bad options.
try
{
    app.Services.GetRequiredService<PlaybookSet>();
    app.Services.GetRequiredService<CaseLinks>();
    app.Services.GetRequiredService<MailRateLimiter>();
}
catch (PlaybookConfigException ex)
{
    Console.Error.WriteLine($"AbuseDesk cannot start: invalid playbooks: {ex.Message}");
    return 2;
}

await WaitForStorageAsync(app.Services.GetRequiredService<DeskStorage>(), app.Logger);
await app.Services.GetRequiredService<DemoData>().SeedAsync(CancellationToken.None);

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapHealth();
app.MapReports();
app.MapOps();
app.MapPortal();
app.MapInvocations(app.Services.GetRequiredService<FunctionManifest>());

if (localSettings is not null)
{
    app.Logger.LogInformation("Settings from {Path} (the environment wins where both set a value)", localSettings);
}

app.Logger.LogInformation("AbuseDesk listening on http://127.0.0.1:{Port} (local triggers: {Local})", port, runTriggersLocally);
await app.RunAsync();
return 0;

static async Task WaitForStorageAsync(DeskStorage storage, ILogger logger)
{
    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (true)
    {
        try
        {
            await storage.EnsureCreatedAsync(CancellationToken.None);
            return;
        }
        catch (Exception ex) when (DateTime.UtcNow < deadline)
        {
            logger.LogWarning("Storage not reachable yet ({Message}); retrying", ex.Message);
            await Task.Delay(1000);
        }
    }
}

/// <summary>Exposed for the integration tests' assembly references.</summary>
public partial class Program;
