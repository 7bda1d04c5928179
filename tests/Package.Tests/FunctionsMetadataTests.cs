using static AbuseDesk.Package.Tests.FunctionMetadata;

namespace AbuseDesk.Package.Tests;

/// <summary>
/// The package's functions.metadata (written by the Worker Sdk from the [Function] attributes; the Functions host
/// indexes the worker from it) lists exactly the functions AbuseDesk has, each with its trigger: the HTTP API
/// and portal, the queue pipeline, the Event Grid blob trigger the template subscribes, the outbox sweep and the
/// Durable Functions orchestration that delivers platform calls.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class FunctionsMetadataTests(PublishedPackage package)
{
    /// <summary>
    /// Every function: name, trigger type, and what it is triggered by. HTTP: "METHOD route" (routePrefix is
    /// empty, so the route is the path); queue: the queue; blob: "path source"; timer: the schedule; Durable
    /// Functions triggers: nothing. Last, the other input bindings the function takes.
    /// </summary>
    private static readonly Expected[] Table =
    [
        // Reporters and the health probe.
        new("SubmitReport", "httpTrigger", "POST api/reports"),
        new("GetReportStatus", "httpTrigger", "GET api/reports/{reportId}"),
        new("GetHealth", "httpTrigger", "GET api/health"),

        // The customer portal.
        new("ShowCasePage", "httpTrigger", "GET portal/cases/{token}"),
        new("PostCasePage", "httpTrigger", "POST portal/cases/{token}", "durableClient"),
        new("GetPortalStyles", "httpTrigger", "GET portal/assets/portal.css"),
        new("ShowContactConfirmation", "httpTrigger", "GET portal/contact/{customerId}/{secret}"),
        new("ConfirmContact", "httpTrigger", "POST portal/contact/{customerId}/{secret}"),

        // Ops (docs/ops.md), behind the ops key the app checks itself.
        new("ListCases", "httpTrigger", "GET api/ops/cases"),
        new("GetCase", "httpTrigger", "GET api/ops/cases/{caseId}", "durableClient"),
        new("ApplyCaseAction", "httpTrigger", "POST api/ops/cases/{caseId}/actions", "durableClient"),
        new("ListOrchestrations", "httpTrigger", "GET api/ops/orchestrations", "durableClient"),
        new("RestartOrchestration", "httpTrigger", "POST api/ops/orchestrations/{instanceId}/restart", "durableClient"),
        new("ExportCase", "httpTrigger", "GET api/ops/cases/{caseId}/export"),
        new("RevokeCaseLinks", "httpTrigger", "POST api/ops/cases/{caseId}/links/revoke"),
        new("GetReportForOps", "httpTrigger", "GET api/ops/reports/{reportId}"),
        new("ReparseReportNow", "httpTrigger", "POST api/ops/reports/{reportId}/reparse"),
        new("ImportAllocations", "httpTrigger", "PUT api/ops/allocations"),
        new("ListAllocations", "httpTrigger", "GET api/ops/allocations"),
        new("CreateReporter", "httpTrigger", "POST api/ops/reporters"),
        new("ListReporters", "httpTrigger", "GET api/ops/reporters"),
        new("GetReporter", "httpTrigger", "GET api/ops/reporters/{reporterId}"),
        new("RevokeReporter", "httpTrigger", "POST api/ops/reporters/{reporterId}/revoke"),
        new("UpdateReporter", "httpTrigger", "PUT api/ops/reporters/{reporterId}"),
        new("ListCustomers", "httpTrigger", "GET api/ops/customers"),
        new("GetCustomer", "httpTrigger", "GET api/ops/customers/{customerId}"),
        new("SetCustomerContact", "httpTrigger", "PUT api/ops/customers/{customerId}/contact"),
        new("ListAllowFlags", "httpTrigger", "GET api/ops/customers/{customerId}/allow-flags"),
        new("AddAllowFlag", "httpTrigger", "POST api/ops/customers/{customerId}/allow-flags"),
        new("RemoveAllowFlag", "httpTrigger", "DELETE api/ops/customers/{customerId}/allow-flags/{flagId}"),
        new("GetBreaker", "httpTrigger", "GET api/ops/breaker"),
        new("ResumeBreaker", "httpTrigger", "POST api/ops/breaker/resume"),
        new("GetWorkQueues", "httpTrigger", "GET api/ops/queues"),
        new("GetWorkQueue", "httpTrigger", "GET api/ops/queues/{name}"),
        new("ListPoisonMessages", "httpTrigger", "GET api/ops/poison"),
        new("RequeuePoisonMessage", "httpTrigger", "POST api/ops/poison/{queue}/{messageId}/requeue"),
        new("ListAudit", "httpTrigger", "GET api/ops/audit"),
        new("ListFailedMails", "httpTrigger", "GET api/ops/mail/failed"),
        new("GetPlaybooks", "httpTrigger", "GET api/ops/playbooks"),

        // The queue pipeline.
        new("ParseReport", "queueTrigger", "reports-parse", "durableClient"),
        new("SendEmail", "queueTrigger", "email-outbox"),
        new("SendFeedbackEmail", "queueTrigger", "feedback-outbox"),
        new("ReporterFeedback", "queueTrigger", "reporter-feedback"),
        new("PlatformWebhook", "queueTrigger", "platform-webhook", "durableClient"),

        // Reports dropped as blobs; Event Grid delivers (infra/bicep subscribes the webhook).
        new("IngestDroppedReport", "blobTrigger", "reports-inbox/{name} EventGrid"),

        // The engine's own records of finished orchestrations, purged daily after their retention.
        new("PurgeEngineHistory", "timerTrigger", "0 30 3 * * *", "durableClient"),

        // The abuse mailbox, read on the schedule the app setting names (docs/mailbox.md).
        new("ReadAbuseMailbox", "timerTrigger", "%AbuseDeskMailboxSchedule%", "durableClient"),

        // Durable Functions: one orchestration per case and one per customer's digests, and their steps.
        new("CaseOrchestration", "orchestrationTrigger", ""),
        new("ApplyCaseStep", "activityTrigger", "", "durableClient"),
        new("CustomerDigestOrchestration", "orchestrationTrigger", ""),
        new("SendCustomerDigestStep", "activityTrigger", ""),

        // Durable Functions: one orchestration per platform call, and its activities.
        new("DeliverPlatformCall", "orchestrationTrigger", ""),
        new("CallPlatformWebhook", "activityTrigger", ""),
        new("SetPlatformCallAside", "activityTrigger", ""),
    ];

    public static TheoryData<string> Names => new(Table.Select(f => f.Name));

    [Fact]
    public void Functions_metadata_lists_every_expected_function_and_no_other()
    {
        package.EnsurePublished();

        Assert.Equal(Table.Length, Table.Select(f => f.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(
            Table.Select(f => f.Name).Order(StringComparer.Ordinal),
            package.Functions.Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Function_is_listed_with_its_trigger(string name)
    {
        package.EnsurePublished();
        var expected = Table.Single(f => f.Name == name);
        var function = Assert.Single(package.Functions, f => f.Name == name);

        Assert.Equal(expected.Trigger, function.TriggerType);
        Assert.Equal(expected.TriggeredBy, TriggeredBy(function));
        Assert.Equal(
            expected.OtherInputs.Order(StringComparer.Ordinal),
            function.Bindings
                .Where(b => b != function.Trigger && Str(b["direction"]) == "In")
                .Select(b => Str(b["type"])!)
                .Order(StringComparer.Ordinal));
        if (function.TriggerType == "httpTrigger")
        {
            // The app authenticates callers itself (reporter keys, the ops key, signed portal links).
            Assert.Equal("anonymous", Str(function.Trigger["authLevel"])?.ToLowerInvariant());
        }
    }

    [Fact]
    public void Every_function_runs_in_the_entry_assembly_on_the_isolated_worker()
    {
        package.EnsurePublished();

        Assert.All(package.Functions, f =>
        {
            Assert.Equal("AbuseDesk.Functions.dll", f.ScriptFile);
            Assert.Equal("dotnet-isolated", f.Language);
            Assert.True(File.Exists(Path.Combine(package.Folder, f.ScriptFile!)), $"{f.Name}: {f.ScriptFile} is not in the package");
        });
    }

    [Fact]
    public void No_two_http_functions_answer_the_same_method_and_route()
    {
        package.EnsurePublished();
        var answered = package.Functions
            .Where(f => f.TriggerType == "httpTrigger")
            .SelectMany(f => Methods(f).Select(m => $"{m} {Str(f.Trigger["route"])?.ToLowerInvariant()}"))
            .ToList();

        Assert.NotEmpty(answered);
        Assert.Equal(answered.Count, answered.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Storage_triggers_use_the_host_storage_connection()
    {
        package.EnsurePublished();
        var storageTriggers = package.Functions.Where(f => f.TriggerType is "queueTrigger" or "blobTrigger").ToList();

        // No "connection": AzureWebJobsStorage, which infra/bicep sets up identity-based (accountName + the
        // managed identity), the same connection Durable Functions' Azure Storage provider uses.
        Assert.NotEmpty(storageTriggers);
        Assert.All(storageTriggers, f =>
        {
            var connection = Str(f.Trigger["connection"]);
            Assert.True(
                string.IsNullOrEmpty(connection) || connection == "AzureWebJobsStorage",
                $"{f.Name} reads storage through '{connection}', which Azure does not configure");
        });
    }

    private static string TriggeredBy(FunctionMetadata function) =>
        function.TriggerType switch
        {
            "httpTrigger" => $"{string.Join(',', Methods(function))} {Str(function.Trigger["route"])}",
            "queueTrigger" => Str(function.Trigger["queueName"]) ?? "",
            "blobTrigger" => $"{Str(function.Trigger["path"])} {Str(function.Trigger["source"])}",
            "timerTrigger" => Str(function.Trigger["schedule"]) ?? "",
            _ => "",
        };

    private static IEnumerable<string> Methods(FunctionMetadata function) =>
        (function.Trigger["methods"]?.AsArray() ?? []).Select(m => Str(m)!.ToUpperInvariant()).Order(StringComparer.Ordinal);

    private sealed record Expected(string Name, string Trigger, string TriggeredBy, params string[] OtherInputs);
}
