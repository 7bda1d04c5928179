using AbuseDesk.Domain.Notifications;
using AbuseDesk.Domain.Ownership;
using AbuseDesk.Functions.Intake;
using AbuseDesk.Functions.Ownership;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Demo;

/// <summary>
/// ABUSEDESK_DEMO=1 (the ./run default): a newcomer gets allocations to hit and a reporter key to send with.
/// Allocations are seeded only when none exist, so a real import is never overwritten by a restart.
/// </summary>
public sealed class DemoData(AllocationStore allocations, Reporters reporters, IOptions<AbuseDeskOptions> options, ILogger<DemoData> logger)
{
    public const string DemoReporterId = "rep-demo";

    public static readonly string AllocationsCsv = """
        cidr,customerId,resourceId,contactEmail,customerSince
        198.51.100.0/24,cust-acme,vm-acme-web,abuse-contact@acme.example,2026-10-01
        198.51.100.128/25,cust-acme,vm-acme-mail,abuse-contact@acme.example,2026-10-01
        203.0.113.0/24,cust-globex,vm-globex-shop,noc@globex.example,2019-03-15
        2001:db8:100::/48,cust-initech,vm-initech-v6,security@initech.example,2025-06-30
        """;

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var demo = options.Value.Demo;
        if (!demo.Enabled)
        {
            return;
        }

        if (!await allocations.HasAllocationsAsync(cancellationToken))
        {
            var parsed = AllocationCsv.Parse(new StringReader(AllocationsCsv), MailLanguages.ForImport);
            await allocations.ReplaceAsync(parsed.Allocations, cancellationToken);
            logger.LogInformation("Demo: seeded {Count} allocations", parsed.Allocations.Count);
        }

        if (!string.IsNullOrEmpty(demo.ReporterKey))
        {
            await reporters.CreateAsync("Demo reporter", "reporter@demo.example", true, demo.ReporterKey, DemoReporterId, cancellationToken);
            logger.LogInformation("Demo: reporter {ReporterId} can send reports with the configured demo key", DemoReporterId);
        }
    }
}
