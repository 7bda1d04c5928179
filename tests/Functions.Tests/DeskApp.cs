using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AbuseDesk.Functions.Storage;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Tests;

/// <summary>
/// The real function app as a separate process, run by the dev host (src/DevHost: the function classes on Kestrel,
/// triggers from storage, orchestrations on the Durable Task Framework engine), against the Azurite and maildev
/// that ./test started. Queue and task-hub polling and retry timings are shortened through the same
/// AzureFunctionsJobHost__ overrides Azure honours, so the tests exercise host.json semantics in seconds.
/// </summary>
public class DeskApp : IAsyncLifetime
{
    public const int MaxDequeueCount = 3;
    public const long MaxReportBytes = 1024 * 1024;
    public const int WebhookAttempts = 3;

    private Process? _process;
    private readonly StringBuilder _log = new();

    public DeskApp()
        : this(Environment.GetEnvironmentVariable("ABUSEDESK_TEST_STORAGE"), "ABUSEDESK_TEST_STORAGE", Environment.GetEnvironmentVariable("ABUSEDESK_TEST_APP_PORT") ?? "7171")
    {
    }

    /// <param name="storage">The storage connection string, from <paramref name="storageVariable"/>.</param>
    protected DeskApp(string? storage, string storageVariable, string port)
    {
        StorageConnection = storage
            ?? throw new InvalidOperationException($"{storageVariable} is not set: run the tests with ./test, which starts Azurite and maildev");
        SmtpPort = Environment.GetEnvironmentVariable("ABUSEDESK_TEST_SMTP_PORT")
            ?? throw new InvalidOperationException("ABUSEDESK_TEST_SMTP_PORT is not set: run the tests with ./test");
        Mail = new MaildevInbox(new Uri(Environment.GetEnvironmentVariable("ABUSEDESK_TEST_MAILDEV_URL")
            ?? throw new InvalidOperationException("ABUSEDESK_TEST_MAILDEV_URL is not set: run the tests with ./test")));
        Port = port;
        BaseUrl = new Uri($"http://127.0.0.1:{Port}");
        Http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        Storage = new DeskStorage(Options.Create(new AbuseDeskOptions { Storage = new StorageOptions { ConnectionString = StorageConnection } }));
    }

    public string StorageConnection { get; }
    public string SmtpPort { get; }
    public string Port { get; }
    public Uri BaseUrl { get; }
    public HttpClient Http { get; }
    public MaildevInbox Mail { get; }
    public PlatformReceiver Platform { get; } = new();
    public DeskStorage Storage { get; }
    public string OpsKey { get; } = "ops-test-" + Guid.NewGuid().ToString("N");
    public string ReporterKey { get; private set; } = "";
    public string ReporterId { get; private set; } = "";
    public string Log => _log.ToString();

    /// <summary>The test network: each test class uses its own customer so mail counts are its own.</summary>
    public const string Allocations = """
        cidr,customerId,resourceId,contactEmail,customerSince,language
        198.51.100.0/24,cust-flow,vm-flow,flow@customer.test,2026-10-01
        198.51.100.128/25,cust-flow,vm-flow-mail,flow-mail@customer.test,2026-10-01
        203.0.113.0/26,cust-dup,vm-dup,dup@customer.test,2026-10-01
        203.0.113.64/26,cust-invoke,vm-invoke,invoke@customer.test,2026-10-01
        203.0.113.128/26,cust-blob,vm-blob,blob@customer.test,2026-10-01
        203.0.113.192/26,cust-misc,vm-misc,misc@customer.test,2026-10-01
        2001:db8:1::/48,cust-v6,vm-v6,v6@customer.test,2025-01-01
        2001:db8:10::/48,cust-wf-young,vm-young,wf-young@customer.test,2026-10-01
        2001:db8:10:1::/64,cust-wf-young,vm-young-2,wf-young@customer.test,2026-10-01
        2001:db8:10:2::/64,cust-wf-young,vm-young-3,wf-young@customer.test,2026-10-01
        2001:db8:11::/48,cust-wf-old,vm-old,wf-old@customer.test,2019-01-01
        2001:db8:12::/48,cust-wf-flag,vm-flag,wf-flag@customer.test,2026-10-01
        2001:db8:13::/48,cust-wf-grace,vm-grace,wf-grace@customer.test,2026-10-01
        2001:db8:13:1::/64,cust-wf-grace,vm-grace-2,wf-grace@customer.test,2026-10-01
        2001:db8:14:0::/64,cust-wf-breaker,vm-breaker-0,wf-breaker@customer.test,2026-10-01
        2001:db8:14:1::/64,cust-wf-breaker,vm-breaker-1,wf-breaker@customer.test,2026-10-01
        2001:db8:14:2::/64,cust-wf-breaker,vm-breaker-2,wf-breaker@customer.test,2026-10-01
        2001:db8:14:3::/64,cust-wf-breaker,vm-breaker-3,wf-breaker@customer.test,2026-10-01
        2001:db8:14:4::/64,cust-wf-breaker,vm-breaker-4,wf-breaker@customer.test,2026-10-01
        2001:db8:14:5::/64,cust-wf-breaker,vm-breaker-5,wf-breaker@customer.test,2026-10-01
        2001:db8:15::/48,cust-wf-term,vm-term,wf-term@customer.test,2026-10-01
        2001:db8:17::/48,cust-wf-fast,vm-fast,wf-fast@customer.test,2026-10-01
        2001:db8:16:0::/64,cust-digest,vm-digest-0,digest@customer.test,2026-10-01
        2001:db8:16:1::/64,cust-digest,vm-digest-1,digest@customer.test,2026-10-01
        2001:db8:16:2::/64,cust-digest,vm-digest-2,digest@customer.test,2026-10-01
        2001:db8:60:1::/64,cust-portal-1,vm-portal-1,portal-1@customer.test,2026-10-01
        2001:db8:60:2::/64,cust-portal-2,vm-portal-2,portal-2@customer.test,2026-10-01
        2001:db8:60:3::/64,cust-portal-3,vm-portal-3,portal-3@customer.test,2026-10-01
        2001:db8:60:4::/64,cust-portal-4,vm-portal-4,portal-4@customer.test,2026-10-01
        2001:db8:60:5::/64,cust-portal-5,vm-portal-5,portal-5@customer.test,2026-10-01
        2001:db8:60:6::/64,cust-portal-6,vm-portal-6,portal-6@customer.test,2026-10-01
        2001:db8:60:7::/64,cust-portal-7,vm-portal-7,portal-7@customer.test,2026-10-01
        2001:db8:60:8::/64,cust-portal-8,vm-portal-8,portal-8@customer.test,2026-10-01
        2001:db8:60:9::/64,cust-portal-9,vm-portal-9,portal-9@customer.test,2026-10-01
        2001:db8:60:a::/64,cust-portal-10,vm-portal-10,portal-10@customer.test,2026-10-01
        2001:db8:60:b::/64,cust-portal-11,vm-portal-11,portal-11@customer.test,2026-10-01
        2001:db8:60:c::/64,cust-portal-12,vm-portal-12,portal-12@customer.test,2026-10-01
        2001:db8:60:d::/64,cust-portal-13,vm-portal-13,portal-13@customer.test,2026-10-01
        2001:db8:60:e::/64,cust-portal-14,vm-portal-14,portal-14@customer.test,2026-10-01
        2001:db8:60:f::/64,cust-portal-15,vm-portal-15,portal-15@customer.test,2026-10-01
        2001:db8:60:10::/64,cust-portal-16,vm-portal-16,portal-16@customer.test,2026-10-01
        2001:db8:60:11::/64,cust-portal-17,vm-portal-17,portal-17@customer.test,2026-10-01
        2001:db8:60:12::/64,cust-portal-18,vm-portal-18,portal-18@customer.test,2026-10-01
        2001:db8:60:13::/64,cust-portal-19,vm-portal-19,portal-19@customer.test,2026-10-01
        2001:db8:60:14::/64,cust-portal-20,vm-portal-20,portal-20@customer.test,2026-10-01
        2001:db8:60:15::/64,cust-portal-21,vm-portal-21,portal-21@customer.test,2026-10-01
        2001:db8:61:1::/64,cust-evidence-1,vm-evidence-1,evidence-1@customer.test,2026-10-01
        2001:db8:61:2::/64,cust-evidence-2,vm-evidence-2,evidence-2@customer.test,2026-10-01
        2001:db8:61:3::/64,cust-evidence-3,vm-evidence-3,evidence-3@customer.test,2026-10-01
        2001:db8:61:4::/64,cust-evidence-4,vm-evidence-4,evidence-4@customer.test,2026-10-01
        2001:db8:61:5::/64,cust-evidence-5,vm-evidence-5,evidence-5@customer.test,2026-10-01
        2001:db8:61:6::/64,cust-evidence-6,vm-evidence-6,evidence-6@customer.test,2026-10-01
        2001:db8:61:7::/64,cust-evidence-7,vm-evidence-7,evidence-7@customer.test,2026-10-01
        2001:db8:50::/48,cust-mail-en,vm-mail-en,mail-en@mail.test,2026-10-01,en
        2001:db8:51::/48,cust-mail-de,vm-mail-de,mail-de@mail.test,2026-10-01,de
        2001:db8:70::/48,cust-ops-a,vm-ops-a1,ops-a@customer.test,2026-10-01
        2001:db8:70:1::/64,cust-ops-a,vm-ops-a2,ops-a@customer.test,2026-10-01
        2001:db8:71::/48,cust-ops-export,vm-ops-export,ops-export@customer.test,2026-10-01
        2001:db8:72::/48,cust-ops-queue,vm-ops-queue,ops-queue@customer.test,2026-10-01
        2001:db8:73::/48,cust-ops-diff,vm-ops-diff,ops-diff@customer.test,2026-10-01
        2001:db8:80:1::/64,cust-feedback,vm-feedback-1,feedback-customer@customer.test,2026-10-01
        2001:db8:80:2::/64,cust-feedback,vm-feedback-2,feedback-customer@customer.test,2026-10-01
        2001:db8:80:3::/64,cust-feedback,vm-feedback-3,feedback-customer@customer.test,2026-10-01
        2001:db8:80:4::/64,cust-feedback,vm-feedback-4,feedback-customer@customer.test,2026-10-01
        2001:db8:90::/48,cust-failed,vm-failed,failed@customer.test,2026-10-01
        2001:db8:91::/48,cust-limits,vm-limits,limits@customer.test,2026-10-01
        2001:db8:93::/48,cust-limits-events,vm-limits-events,limits-events@customer.test,2026-10-01
        2001:db8:94::/48,cust-dns,vm-dns,dns@customer.test,2026-10-01
        2001:db8:92::/48,cust-whole,vm-whole,whole@customer.test,2026-10-01
        2001:db8:95::/48,cust-mailbox,vm-mailbox,mailbox@customer.test,2026-10-01
        """;

    /// <summary>Limits for a reporter that sends like a feed (AbuseDesk:Intake:ReporterLimits are an individual's).</summary>
    public static readonly object FeedLimits = new { reportsPerMinute = 1_000_000, bytesPerDay = 1L << 40, eventsPerDay = 1L << 40 };

    /// <summary>The send rate the app runs with in tests (AbuseDesk:Email): fast enough for the suite, slow enough to measure.</summary>
    public const int MailsPerMinute = 1200;
    public const int MailBurst = 10;

    /// <summary>AbuseDesk:Feedback:Window in the suite's app.</summary>
    public static readonly TimeSpan FeedbackWindow = TimeSpan.FromSeconds(2);

    public async Task InitializeAsync()
    {
        await StartProcessAsync();

        using (var put = Ops(HttpMethod.Put, "/api/ops/allocations"))
        {
            put.Content = new StringContent(AllAllocations(), Encoding.UTF8, "text/csv");
            using var response = await Http.SendAsync(put);
            Ensure(response, "PUT /api/ops/allocations");
        }

        using (var create = Ops(HttpMethod.Post, "/api/ops/reporters"))
        {
            // Feed-sized limits: the suite sends hundreds of reports a minute from this one reporter.
            create.Content = JsonContent.Create(new { name = "Test reporter", contactEmail = "reporter@reporter.test", wantsFeedback = true, limits = FeedLimits });
            using var response = await Http.SendAsync(create);
            Ensure(response, "POST /api/ops/reporters");
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            ReporterKey = body["key"]!.GetValue<string>();
            ReporterId = body["reporterId"]!.GetValue<string>();
        }
    }

    /// <summary>The allocation table the app starts with.</summary>
    protected virtual string AllAllocations() => Allocations + CrashAllocations();

    /// <summary>Resources for the crash test: 2001:db8:100:{i}::/64 → vm-crash-{i}, over 100 customers (ten each).</summary>
    public const int CrashResources = 1000;

    public static string CrashAllocations() =>
        string.Concat(Enumerable.Range(0, CrashResources).Select(i => $"\n2001:db8:100:{i:x}::/64,cust-crash-{i % 100},vm-crash-{i},crash-{i % 100}@crash.test,2026-10-01"));

    /// <summary>Kills the app process the hard way (SIGKILL): no shutdown, no flushing, mid-whatever-it-was-doing.</summary>
    public void Kill()
    {
        _process!.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
        _process.Dispose();
        _process = null;
    }

    public async Task StartProcessAsync()
    {
        var dll = Path.Combine(RepoRoot(), "src", "DevHost", "bin", BuildConfiguration(), "net10.0", "AbuseDesk.DevHost.dll");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        var env = start.Environment;
        env["ABUSEDESK_PORT"] = Port;
        env["ABUSEDESK_OPS_KEY"] = OpsKey;
        env["ABUSEDESK_DEMO"] = "0";
        env["AbuseDesk__PublicUrl"] = BaseUrl.ToString().TrimEnd('/');
        env["AbuseDesk__Storage__ConnectionString"] = StorageConnection;
        env["AbuseDesk__Smtp__Port"] = SmtpPort;
        // The test zone ./test serves with dnsmasq (scripts/services.sh): the hosts of URL-only reports resolve there.
        env["AbuseDesk__Dns__Servers__0"] = "127.0.0.1:" + (Environment.GetEnvironmentVariable("ABUSEDESK_TEST_DNS_PORT")
            ?? throw new InvalidOperationException("ABUSEDESK_TEST_DNS_PORT is not set: run the tests with ./test"));
        env["AbuseDesk__Dns__TimeoutMilliseconds"] = "1000";
        env["AbuseDesk__Intake__MaxReportBytes"] = MaxReportBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["AbuseDesk__Tokens__Keys__k1"] = Convert.ToBase64String(Encoding.ASCII.GetBytes("test-signing-key-0123456789abcdef0123"));
        env["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.200";
        env["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00.500";
        env["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = MaxDequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // The engine polls its queues at most this far apart when idle: a portal or ops action waits about two polls.
        env["AzureFunctionsJobHost__extensions__durableTask__storageProvider__maxQueuePollingInterval"] = "00:00:00.250";
        // A killed worker's messages come back after this, not after the default five minutes (the crash test).
        env["AzureFunctionsJobHost__extensions__durableTask__storageProvider__controlQueueVisibilityTimeout"] = "00:00:20";
        env["AzureFunctionsJobHost__extensions__durableTask__storageProvider__workItemQueueVisibilityTimeout"] = "00:00:20";
        env["AbuseDesk__Platform__WebhookAttempts"] = WebhookAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["AbuseDesk__Platform__WebhookFirstRetry"] = "00:00:01";
        // Warnings and errors only: the crash test pushes tens of thousands of messages through the app.
        env["Logging__LogLevel__Default"] = "Warning";
        env["ABUSEDESK_PLAYBOOKS"] = Path.Combine(AppContext.BaseDirectory, "TestData", "playbooks.yaml");
        env["AbuseDesk__Platform__WebhookUrl"] = Platform.Url;
        env["AbuseDesk__Platform__WebhookSecret"] = Platform.Secret;
        env["AbuseDesk__Email__MaxPerMinute"] = MailsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["AbuseDesk__Email__Burst"] = MailBurst.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Reporter feedback gathered over two seconds: long enough to gather, short enough for the feedback tests.
        env["AbuseDesk__Feedback__Window"] = FeedbackWindow.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        // A claimed mail blocks its duplicates for twice this: short here so duplicate-delivery tests settle quickly.
        env["AbuseDesk__Email__SendTimeout"] = "00:00:05";
        Configure(env);

        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start the app");
        _process.OutputDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        await Eventually.Async(async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the app exited with {_process.ExitCode}:\n{Log}");
            }

            using var response = await Http.GetAsync(new Uri("/api/health", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(60), "the app to answer /api/health");
    }

    /// <summary>
    /// Settings of this app beyond the common ones. The suite's app trusts loopback as a forwarding proxy: the tests
    /// are that proxy, and give each simulated customer its own address with X-Forwarded-For (PortalSession,
    /// Chromium), so the per-address portal limit counts each test apart. The app as shipped trusts no proxy
    /// (<see cref="StockDeskApp"/>).
    /// </summary>
    protected virtual void Configure(IDictionary<string, string?> environment)
    {
        environment["AbuseDesk__Portal__RateLimits__TrustedProxies"] = "127.0.0.1";
        // The abuse mailbox ./test serves with dovecot: only the suite's app reads it, every second.
        environment["AbuseDesk__Mailbox__Host"] = "127.0.0.1";
        environment["AbuseDesk__Mailbox__Port"] = TestMailbox.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["AbuseDesk__Mailbox__Security"] = "None";
        environment["AbuseDesk__Mailbox__UserName"] = TestMailbox.User;
        environment["AbuseDesk__Mailbox__Password"] = TestMailbox.Password;
        environment["AbuseDesk__Mailbox__TrustedAuthServIds__0"] = TestMailbox.AuthServId;
        // The mailbox tests' mails are mostly the public reporter's (replies count too): 10 a minute would make one
        // test's mail wait for another's minute.
        environment["AbuseDesk__Mailbox__PublicLimits__ReportsPerMinute"] = "600";
        environment["AbuseDeskMailboxSchedule"] = "* * * * * *";
    }

    private void Ensure(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what} → {(int)response.StatusCode}; app log:\n{Log}");
        }
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process?.Dispose();
        Http.Dispose();
        Platform.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>
    /// The app's log up to now, including every line written before this call: a mail row that does not exist is
    /// queued and its warning awaited, and the logger writes lines in order, so all earlier lines are in.
    /// </summary>
    public async Task<string> LogUpToNowAsync()
    {
        var marker = "log-barrier-" + Guid.NewGuid().ToString("N");
        await Storage.Queue(DeskStorage.EmailOutboxQueue).SendMessageAsync(Json.Serialize(new AbuseDesk.Functions.Notifications.EmailRequest(marker, "m|barrier")));
        await Eventually.Async(() => Task.FromResult(Log.Contains(marker, StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "the app to log the barrier mail");
        return Log;
    }

    public HttpRequestMessage Ops(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Add("x-functions-key", OpsKey);
        return request;
    }

    public async Task<JsonNode> OpsJsonAsync(string path)
    {
        using var request = Ops(HttpMethod.Get, path);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} → {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    public async Task<HttpResponseMessage> PostReportAsync(byte[] body, string contentType, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/reports", UriKind.Relative)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if ((key ?? ReporterKey) is { Length: > 0 } bearer)
        {
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {bearer}");
        }

        return await Http.SendAsync(request);
    }

    /// <summary>Waits until the report leaves "received" and returns its status document.</summary>
    public async Task<JsonNode> WaitForReportAsync(string reportId)
    {
        JsonNode? status = null;
        await Eventually.Async(async () =>
        {
            status = await OpsJsonAsync($"/api/ops/reports/{reportId}");
            return status["status"]!.GetValue<string>() != "received";
        }, TimeSpan.FromSeconds(30), $"report {reportId} to be parsed");
        return status!;
    }

    /// <summary>Reports of mail read from the abuse mailbox carrying this Message-ID: the stored raw mail is read from its blob.</summary>
    public async Task<List<TableEntity>> ReportsOfMailAsync(string messageId)
    {
        var matches = new List<TableEntity>();
        await foreach (var row in Storage.Reports.QueryAsync<TableEntity>("ContentType eq 'message/rfc822' and MailVerdict ge ''"))
        {
            var blob = await Storage.RawReports.GetBlobClient(row.GetString("BlobName")).DownloadContentAsync();
            if (blob.Value.Content.ToString().Contains(messageId, StringComparison.Ordinal))
            {
                matches.Add(row);
            }
        }

        return matches;
    }

    public async Task<JsonArray> CasesAsync(string customerId) =>
        (await OpsJsonAsync($"/api/ops/cases?customerId={customerId}"))["cases"]!.AsArray();

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AbuseFunctions.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repo root (AbuseFunctions.sln) not found");
    }

    private static string BuildConfiguration() =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
}

[CollectionDefinition(Name)]
public sealed class DeskCollection : ICollectionFixture<DeskApp>
{
    public const string Name = "desk";
}
