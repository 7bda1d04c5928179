using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Ownership;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Hosting;

namespace AbuseDesk.Functions.Ops;

/// <summary>Customers from the allocations in force; their allow-flag routes live in <see cref="SafetyRoutes"/>.</summary>
public static class CustomerRoutes
{
    internal static async Task<IResult> ListAsync(HttpContext context, CustomerDirectory directory)
    {
        var (paging, problem) = OpsPaging.From(context.Request);
        if (paging is null)
        {
            return problem!;
        }

        if (paging.Continuation is { } after && !AllocationCsv.IsIdentifier(after))
        {
            return Problems.BadRequest("'continuation' is not one this route gave out.");
        }

        var (page, continuation) = await directory.ListAsync(paging.Limit, paging.Continuation, context.RequestAborted);
        return Results.Json(new
        {
            customers = page.Select(p => new
            {
                customerId = p.Customer.CustomerId,
                contactEmail = p.Customer.ContactEmail,
                customerSince = Date(p.Customer.CustomerSince),
                resources = p.Customer.Resources.Select(r => r.ResourceId).Distinct(StringComparer.Ordinal).Count(),
                prefixes = p.Customer.Resources.Count,
                openCases = p.Counts.OpenCases,
                activeAllowFlags = p.Counts.ActiveAllowFlags,
            }),
            continuation,
        });
    }

    internal static async Task<IResult> GetAsync(string customerId, HttpContext context, CustomerDirectory directory, SafetyStore safety, TimeProvider clock)
    {
        if (!AllocationCsv.IsIdentifier(customerId))
        {
            return Problems.NotFound($"No customer '{customerId}'.");
        }

        var (customer, cases) = await directory.DetailAsync(customerId, context.RequestAborted);
        if (customer is null && cases.Count == 0)
        {
            return Problems.NotFound($"No customer '{customerId}' in the allocations in force, and no cases for it.");
        }

        var now = clock.GetUtcNow();
        var flags = await safety.FlagsAsync(customerId, context.RequestAborted);
        return Results.Json(new
        {
            customerId,
            allocated = customer is not null,
            contactEmail = customer?.ContactEmail,
            customerSince = customer is null ? null : Date(customer.CustomerSince),
            language = customer?.Resources.FirstOrDefault()?.Language ?? "en",
            resources = customer?.Resources.Select(r => new { cidr = r.Prefix.ToString(), resourceId = r.ResourceId, contactEmail = r.ContactEmail, customerSince = Date(r.CustomerSince), language = r.Language }) ?? [],
            allowFlags = flags.Where(f => f.ExpiresAt > now).OrderBy(f => f.ExpiresAt).Select(f => new
            {
                flagId = f.RowKey,
                resourceId = string.IsNullOrEmpty(f.ResourceId) ? null : f.ResourceId,
                classes = string.IsNullOrEmpty(f.Classes) ? [] : f.Classes.Split(','),
                reason = f.Reason,
                setBy = f.SetBy,
                expiresAt = f.ExpiresAt,
            }),
            openCases = cases.Where(IsOpen).Select(Summary),
            closedCases = cases.Where(c => !IsOpen(c)).Select(Summary),
        });
    }

    private static bool IsOpen(CaseEntity c) => CaseStatuses.TryParse(c.Status, out var status) && status.IsOpen();

    private static object Summary(CaseEntity c) => new
    {
        caseId = c.PartitionKey,
        resourceId = c.ResourceId,
        abuseClass = c.AbuseClass,
        status = c.Status,
        openedAt = c.OpenedAt,
        deadline = c.Deadline,
    };

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>GET /api/ops/customers</summary>
public sealed class ListCustomers(OpsEndpoint endpoint, CustomerDirectory directory)
{
    [Function(nameof(ListCustomers))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/customers")] HttpRequest request) =>
        endpoint.RunAsync(request, () => CustomerRoutes.ListAsync(request.HttpContext, directory));
}

/// <summary>GET /api/ops/customers/{customerId}</summary>
public sealed class GetCustomer(OpsEndpoint endpoint, CustomerDirectory directory, SafetyStore safety, TimeProvider clock)
{
    [Function(nameof(GetCustomer))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/customers/{customerId}")] HttpRequest request, string customerId) =>
        endpoint.RunAsync(request, () => CustomerRoutes.GetAsync(customerId, request.HttpContext, directory, safety, clock));
}
