using AbuseDesk.DevHost;
using AbuseDesk.Functions.Health;
using AbuseDesk.Functions.Hosting;

// Runs src/Functions on this machine, where there is no Functions host (docs/deploy.md): the same function
// classes and services, HTTP on Kestrel, queue/blob/timer triggers from storage with host.json's semantics, and
// orchestrations on the Durable Task Framework with its Azure Storage provider.
var localSettings = LocalSettings.Apply();
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddAbuseDesk();

var port = Environment.GetEnvironmentVariable("ABUSEDESK_PORT") ?? "7071";
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
// Bodies are bounded per route by the functions themselves (reports: the configured limit → 413).
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);

var catalog = FunctionCatalog.From(typeof(GetHealth).Assembly);
var host = new HostJson(Path.Combine(AppContext.BaseDirectory, "host.json"), builder.Configuration);
builder.Services.AddSingleton(catalog);
builder.Services.AddSingleton(host);
builder.Services.AddSingleton<FunctionInvoker>();
builder.Services.AddHostedService<QueueTriggers>();
builder.Services.AddHostedService<BlobTriggers>();
builder.Services.AddHostedService<TimerTriggers>();

// Durable's own connection, as in Azure: AzureWebJobsStorage, else the desk's storage account.
var connection = builder.Configuration["AzureWebJobsStorage"] ?? builder.Configuration["AbuseDesk:Storage:ConnectionString"] ?? "UseDevelopmentStorage=true";
using var startupLogs = LoggerFactory.Create(logging => logging.AddConfiguration(builder.Configuration.GetSection("Logging")).AddSimpleConsole());
await using var durable = await DurableEngine.StartAsync(host.Durable, connection, startupLogs, CancellationToken.None);
durable.AddTo(builder.Services, catalog);

var app = builder.Build();
app.MapHttpFunctions(catalog, host);
if (localSettings is not null)
{
    app.Logger.LogInformation("Settings from {Path} (the environment wins where both set a value)", localSettings);
}

app.Logger.LogInformation("AbuseDesk dev host on http://127.0.0.1:{Port}: {Count} functions, task hub {Hub}", port, catalog.Functions.Count, host.Durable.HubName);
await app.RunAsync();
