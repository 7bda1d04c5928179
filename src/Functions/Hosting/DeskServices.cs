using AbuseDesk.Domain.Cases;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Demo;
using AbuseDesk.Functions.Feedback;
using AbuseDesk.Functions.Intake;
using AbuseDesk.Functions.Notifications;
using AbuseDesk.Functions.Ops;
using AbuseDesk.Functions.Ownership;
using AbuseDesk.Functions.Parsing;
using AbuseDesk.Functions.Portal;
using AbuseDesk.Functions.Storage;
using AbuseDesk.Functions.Telemetry;
using Microsoft.Extensions.Options;
using MimeKit.Cryptography;

namespace AbuseDesk.Functions.Hosting;

/// <summary>
/// Everything the desk's functions need, registered once: the worker (Program.cs) in Azure and the dev host
/// (src/DevHost) here both call <see cref="AddAbuseDesk"/>, so the two run the same services.
/// </summary>
public static class DeskServices
{
    /// <summary>The short environment names that CONTRACT.md promises, mapped onto configuration keys.</summary>
    private static readonly Dictionary<string, string> ShortNames = new()
    {
        ["ABUSEDESK_OPS_KEY"] = "AbuseDesk:Ops:Key",
        ["ABUSEDESK_DEMO_REPORTER_KEY"] = "AbuseDesk:Demo:ReporterKey",
        ["ABUSEDESK_PLAYBOOKS"] = "AbuseDesk:Playbooks",
        ["ABUSEDESK_PUBLIC_URL"] = "AbuseDesk:PublicUrl",
    };

    public static IHostApplicationBuilder AddAbuseDesk(this IHostApplicationBuilder builder)
    {
        var mapped = ShortNames
            .Where(n => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(n.Key)))
            .ToDictionary(n => n.Value, n => Environment.GetEnvironmentVariable(n.Key));
        if (Environment.GetEnvironmentVariable("ABUSEDESK_DEMO") is "1" or "true")
        {
            mapped["AbuseDesk:Demo:Enabled"] = "true";
        }

        builder.Configuration.AddInMemoryCollection(mapped);

        var services = builder.Services;
        services.AddOptions<AbuseDeskOptions>()
            .Bind(builder.Configuration.GetSection(AbuseDeskOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<FeedbackOptions>()
            .Bind(builder.Configuration.GetSection(FeedbackOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.AddDeskTelemetry();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new UtcDateTimeOffsetConverter()));

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<StorageCalls>();
        services.AddSingleton(sp => new DeskStorage(sp.GetRequiredService<IOptions<AbuseDeskOptions>>(), sp.GetRequiredService<StorageCalls>()));
        services.AddHostedService<StorageCallLog>();
        services.AddSingleton(sp => PlaybookProvider.Load(sp.GetRequiredService<IOptions<AbuseDeskOptions>>()));
        services.AddSingleton<HttpEndpoint>();
        services.AddSingleton<OpsEndpoint>();
        services.AddSingleton<Reporters>();
        services.AddSingleton<AcceptReport>();
        services.AddSingleton<ReporterQuota>();
        services.AddSingleton<RefusedDrops>();
        services.AddSingleton<ReportQueries>();
        services.AddSingleton<OpsKey>();
        services.AddSingleton<ReparseReport>();
        services.AddSingleton<OpsAudit>();
        services.AddSingleton<CustomerDirectory>();
        services.AddSingleton<WorkQueues>();
        services.AddSingleton<PoisonQueues>();
        services.AddSingleton<AllocationStore>();
        services.AddSingleton<HostLookup>();
        // For the mailbox reader: who really sent a mail (DKIM checked here, keys from DNS; SPF as the provider says).
        services.AddSingleton<IDkimPublicKeyLocator, DkimKeysFromDns>();
        services.AddSingleton<SenderAuthentication>();
        services.AddSingleton<AssignEvents>();
        services.AddSingleton<CaseLinks>();
        services.AddPortal(builder.Configuration);
        services.AddSingleton<CaseOutbox>();
        services.AddSingleton<CaseTransitions>();
        services.AddSingleton<CaseInbox>();
        services.AddSingleton<SendCustomerDigest>();
        services.AddSingleton<SafetyStore>();
        services.AddHttpClient("platform", client => client.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton<CaseQueries>();
        services.AddSingleton<SmtpMailer>();
        services.AddSingleton<MailRateLimiter>();
        services.AddSingleton<DemoData>();
        services.AddSingleton<FeedbackMails>();
        services.AddSingleton<SendReportParsedFeedback>();
        services.AddSingleton<SendCasesEndedFeedback>();
        services.AddSingleton<SendFeedbackDigest>();
        services.AddSingleton<ReportEventOutcomes>();
        services.AddSingleton<ParseReport>();
        services.AddSingleton<SendEmail>();
        services.AddSingleton<IngestDroppedReport>();
        services.AddSingleton<MailSenders>();
        services.AddSingleton<CustomerContacts>();
        services.AddSingleton<CaseReporters>();
        services.AddSingleton<CaseMailReplies>();
        services.AddSingleton<MailboxState>();
        services.AddSingleton<ReadAbuseMailbox>();
        services.AddSingleton<CallPlatformWebhook>();
        services.AddSingleton<RunReporterFeedback>();
        services.AddHostedService<DeskStartup>();
        return builder;
    }
}
