using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Storage;

/// <summary>
/// Every table, queue and container the desk uses, in one place so names cannot drift between writer and reader.
/// Queue names match the function.json files; messages are base64 like the Functions host expects.
/// </summary>
public sealed class DeskStorage
{
    public const string ReportsParseQueue = "reports-parse";
    public const string EmailOutboxQueue = "email-outbox";

    /// <summary>Reporter feedback mails: their own lane, sent with the rate the notices leave (docs/email.md).</summary>
    public const string FeedbackOutboxQueue = "feedback-outbox";
    public const string SuspensionsQueue = "suspensions";
    public const string PlatformWebhookQueue = "platform-webhook";
    public const string ReporterFeedbackQueue = "reporter-feedback";
    public const string RawReportsContainer = "reports";
    public const string InboxContainer = "reports-inbox";

    private readonly QueueServiceClient _queues;

    public DeskStorage(IOptions<AbuseDeskOptions> options, StorageCalls? calls = null)
    {
        var storage = options.Value.Storage;
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        var tableOptions = new TableClientOptions();
        var blobOptions = new BlobClientOptions();
        if (calls is not null)
        {
            tableOptions.AddPolicy(calls.For("table"), Azure.Core.HttpPipelinePosition.PerRetry);
            queueOptions.AddPolicy(calls.For("queue"), Azure.Core.HttpPipelinePosition.PerRetry);
            blobOptions.AddPolicy(calls.For("blob"), Azure.Core.HttpPipelinePosition.PerRetry);
        }

        if (!string.IsNullOrWhiteSpace(storage.ConnectionString))
        {
            Tables = new TableServiceClient(storage.ConnectionString, tableOptions);
            _queues = new QueueServiceClient(storage.ConnectionString, queueOptions);
            Blobs = new BlobServiceClient(storage.ConnectionString, blobOptions);
        }
        else if (!string.IsNullOrWhiteSpace(storage.AccountName))
        {
            // In Azure, shared keys are disabled: the app's managed identity holds the data roles.
            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = storage.ClientId });
            Tables = new TableServiceClient(new Uri($"https://{storage.AccountName}.table.core.windows.net"), credential, tableOptions);
            _queues = new QueueServiceClient(new Uri($"https://{storage.AccountName}.queue.core.windows.net"), credential, queueOptions);
            Blobs = new BlobServiceClient(new Uri($"https://{storage.AccountName}.blob.core.windows.net"), credential, blobOptions);
        }
        else
        {
            throw new InvalidOperationException("AbuseDesk:Storage needs ConnectionString or AccountName");
        }

        Reporters = Tables.GetTableClient("reporters");
        Reports = Tables.GetTableClient("reports");
        Events = Tables.GetTableClient("events");
        Cases = Tables.GetTableClient("cases");
        OpenCases = Tables.GetTableClient("opencases");
        Allocations = Tables.GetTableClient("allocations");
        AllowFlags = Tables.GetTableClient("allowflags");
        Customers = Tables.GetTableClient("customers");
        SuspensionLog = Tables.GetTableClient("suspensionlog");
        Desk = Tables.GetTableClient("desk");
        RawReports = Blobs.GetBlobContainerClient(RawReportsContainer);
        Inbox = Blobs.GetBlobContainerClient(InboxContainer);
    }

    public TableServiceClient Tables { get; }

    public BlobServiceClient Blobs { get; }

    public TableClient Reporters { get; }

    public TableClient Reports { get; }

    public TableClient Events { get; }

    /// <summary>One partition per case: the state row, its history, event links and outbox, so one transaction covers them.</summary>
    public TableClient Cases { get; }

    /// <summary>customerId → (resourceId|class → caseId): the guard that keeps one open case per key.</summary>
    public TableClient OpenCases { get; }

    public TableClient Allocations { get; }

    /// <summary>Ops' allow-flags per customer (PK = customerId).</summary>
    public TableClient AllowFlags { get; }

    /// <summary>What the desk remembers per customer, e.g. the last manual reinstatement.</summary>
    public TableClient Customers { get; }

    /// <summary>Automated suspensions by UTC hour, counted by the circuit breaker.</summary>
    public TableClient SuspensionLog { get; }

    /// <summary>Desk-wide state such as the circuit breaker.</summary>
    public TableClient Desk { get; }

    public BlobContainerClient RawReports { get; }

    public BlobContainerClient Inbox { get; }

    public QueueClient Queue(string name) => _queues.GetQueueClient(name);

    public static IEnumerable<string> QueueNames =>
        new[] { ReportsParseQueue, EmailOutboxQueue, FeedbackOutboxQueue, SuspensionsQueue, PlatformWebhookQueue, ReporterFeedbackQueue }.SelectMany(q => new[] { q, q + "-poison" });

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        foreach (var table in new[] { Reporters, Reports, Events, Cases, OpenCases, Allocations, AllowFlags, Customers, SuspensionLog, Desk })
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
        }

        foreach (var queue in QueueNames)
        {
            await Queue(queue).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }

        await RawReports.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await Inbox.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
    }
}
