using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Ownership;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Ownership;

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

    internal static async Task<IResult> GetAsync(string customerId, HttpContext context, CustomerDirectory directory, SafetyStore safety, CustomerContacts contacts, TimeProvider clock)
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
        var contact = await contacts.GetAsync(customerId, context.RequestAborted);
        return Results.Json(new
        {
            customerId,
            allocated = customer is not null,
            contactEmail = customer?.ContactEmail,
            abuseContact = AbuseContactView(contact, customer?.ContactEmail, now),
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

    /// <summary>Where notices go: the customer's confirmed address, else the allocation's; and a change waiting for confirmation.</summary>
    private static object AbuseContactView(CustomerContactEntity? contact, string? allocated, DateTimeOffset now) => new
    {
        address = contact?.Confirmed ?? allocated,
        source = contact?.Confirmed is null ? "allocation" : "customer",
        confirmedAt = contact?.ConfirmedAt,
        confirmedBy = contact?.ConfirmedBy,
        pending = contact?.PendingExpiresAt > now ? contact.Pending : null,
        pendingExpiresAt = contact?.PendingExpiresAt > now ? contact.PendingExpiresAt : null,
    };

    private sealed record ContactChange(string? ContactEmail, string? Actor, string? Reason);

    /// <summary>PUT /api/ops/customers/{customerId}/contact: ops set where notices go, at once; the old address is told, the change audited.</summary>
    internal static async Task<IResult> SetContactAsync(string customerId, HttpContext context, CustomerDirectory directory, CustomerContacts contacts, OpsAudit audit, TimeProvider clock)
    {
        if (!AllocationCsv.IsIdentifier(customerId))
        {
            return Problems.NotFound($"No customer '{customerId}'.");
        }

        ContactChange? body;
        try
        {
            body = await context.Request.ReadFromJsonAsync<ContactChange>(context.RequestAborted);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            return Problems.BadRequest($"Body must be JSON: {{\"contactEmail\":\"noc@customer.example\",\"actor\":\"...\",\"reason\":\"...\"}} ({ex.Message})");
        }

        var (intent, problem) = OpsIntent.Validate(context.Request, body?.Actor, body?.Reason, reasonRequired: true);
        if (intent is null)
        {
            return problem!;
        }

        var address = body?.ContactEmail?.Trim() ?? "";
        if (ContactAddress.Problem(address) is { } addressProblem)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "Bad request", $"'contactEmail' '{ContactAddress.Shown(address)}' {addressProblem}.",
                new Dictionary<string, object?> { ["field"] = "contactEmail" });
        }

        var (customer, cases) = await directory.DetailAsync(customerId, context.RequestAborted);
        if (customer is null && cases.Count == 0)
        {
            return Problems.NotFound($"No customer '{customerId}' in the allocations in force, and no cases for it.");
        }

        await contacts.SetAsync(customerId, address, intent.Actor, customer?.ContactEmail, customer?.Resources.FirstOrDefault()?.Language, context.RequestAborted);
        await audit.RecordAsync("contact-set", customerId, intent, $"abuse notices now go to {address}", context.RequestAborted);
        return Results.Json(new { customerId, abuseContact = AbuseContactView(await contacts.GetAsync(customerId, context.RequestAborted), customer?.ContactEmail, clock.GetUtcNow()) });
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
public sealed class GetCustomer(OpsEndpoint endpoint, CustomerDirectory directory, SafetyStore safety, CustomerContacts contacts, TimeProvider clock)
{
    [Function(nameof(GetCustomer))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/customers/{customerId}")] HttpRequest request, string customerId) =>
        endpoint.RunAsync(request, () => CustomerRoutes.GetAsync(customerId, request.HttpContext, directory, safety, contacts, clock));
}

/// <summary>PUT /api/ops/customers/{customerId}/contact</summary>
public sealed class SetCustomerContact(OpsEndpoint endpoint, CustomerDirectory directory, CustomerContacts contacts, OpsAudit audit, TimeProvider clock)
{
    [Function(nameof(SetCustomerContact))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/ops/customers/{customerId}/contact")] HttpRequest request, string customerId) =>
        endpoint.RunAsync(request, () => CustomerRoutes.SetContactAsync(customerId, request.HttpContext, directory, contacts, audit, clock));
}
