using AbuseDesk.Domain.Notifications;
using AbuseDesk.Domain.Ownership;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Ownership;

namespace AbuseDesk.Functions.Ops;

/// <summary>
/// The allocation table: import (validated as a whole), a dry-run that answers what an import would change and
/// writes nothing, and a paged view of the generation in force.
/// </summary>
public static class AllocationRoutes
{
    private const int MaxAllocationBytes = 64 * 1024 * 1024;
    private const int MaxDiffRowsShown = 500;

    /// <summary>
    /// Recorded when an import names no actor: the allocation import in CONTRACT.md predates the actor, and the
    /// scripts that feed it from the provider's inventory must keep working.
    /// </summary>
    public const string UnnamedActor = "ops-key";


    internal static async Task<IResult> ImportAsync(HttpContext context, AllocationStore store, OpsAudit audit)
    {
        var dryRun = context.Request.Query["dryRun"].FirstOrDefault() is { } flag && !string.Equals(flag, "false", StringComparison.OrdinalIgnoreCase);
        if (context.Request.ContentLength > MaxAllocationBytes)
        {
            return TooLarge();
        }

        if (context.Request.ContentType is not { } type || !type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.Of(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the allocations as text/csv.");
        }

        var named = context.Request.Query["actor"].FirstOrDefault();
        var actor = OpsActor.From(context.Request, named);
        if (actor is null && !string.IsNullOrWhiteSpace(named))
        {
            return Problems.BadRequest("'actor' must be 1-200 characters.");
        }

        var reason = context.Request.Query["reason"].FirstOrDefault()?.Trim();
        if (reason is { Length: > OpsIntent.MaxReasonLength })
        {
            return Problems.BadRequest($"'reason' is limited to {OpsIntent.MaxReasonLength} characters.");
        }

        var intent = new OpsIntent(actor ?? UnnamedActor, string.IsNullOrEmpty(reason) ? null : reason);

        // The parser reads lines synchronously; Kestrel only allows async body reads, so buffer first, bounded by the
        // bytes actually received (a chunked upload has no Content-Length to check above).
        if (await BoundedBody.ReadAsync(context.Request.Body, MaxAllocationBytes, context.RequestAborted) is not { } bytes)
        {
            return TooLarge();
        }

        using var reader = new StreamReader(new MemoryStream(bytes.ToArray(), writable: false));
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        var parsed = AllocationCsv.Parse(new StringReader(text), MailLanguages.ForImport);
        if (!parsed.Ok)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "Invalid allocation file", string.Join("; ", parsed.Errors),
                new Dictionary<string, object?> { ["errors"] = parsed.Errors });
        }

        var current = await store.SnapshotAsync(context.RequestAborted);
        var diff = AllocationDiff.Between(current.Allocations, parsed.Allocations);
        if (dryRun)
        {
            return Results.Json(DiffView(diff, parsed.Allocations.Count, current, dryRun: true));
        }

        var count = await store.ReplaceAsync(parsed.Allocations, intent.Actor, intent.Reason, context.RequestAborted);
        await audit.RecordAsync("allocations-import", "allocations", intent,
            $"{count} allocations: +{diff.Added.Count} -{diff.Removed.Count} ~{diff.Changed.Count}; customers +{diff.CustomersAdded.Count} -{diff.CustomersRemoved.Count}", context.RequestAborted);
        var body = DiffView(diff, count, current, dryRun: false);
        body["count"] = count;
        return Results.Json(body);
    }

    private static IResult TooLarge() =>
        Problems.Of(StatusCodes.Status413PayloadTooLarge, "Allocation file too large", $"The allocation file is limited to {MaxAllocationBytes} bytes.");

    internal static async Task<IResult> ListAsync(HttpContext context, AllocationStore store)
    {
        var (paging, problem) = OpsPaging.From(context.Request);
        if (paging is null)
        {
            return problem!;
        }

        var offset = 0;
        if (paging.Continuation is { } token && (!int.TryParse(token, out offset) || offset < 0))
        {
            return Problems.BadRequest("'continuation' is not one this route gave out.");
        }

        var snapshot = await store.SnapshotAsync(context.RequestAborted);
        var customerId = context.Request.Query["customerId"].FirstOrDefault();
        var rows = snapshot.Allocations.Where(a => customerId is null || a.CustomerId == customerId).ToList();
        var page = rows.Skip(offset).Take(paging.Limit).ToList();
        var next = offset + page.Count < rows.Count ? (offset + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return Results.Json(new
        {
            generation = snapshot.Pointer?.Generation,
            replacedAt = snapshot.Pointer?.ReplacedAt,
            importedBy = snapshot.Pointer?.ImportedBy,
            importReason = snapshot.Pointer?.ImportReason,
            count = snapshot.Allocations.Count,
            customers = snapshot.Allocations.Select(a => a.CustomerId).Distinct(StringComparer.Ordinal).Count(),
            matching = rows.Count,
            allocations = page.Select(View),
            continuation = next,
        });
    }

    private static Dictionary<string, object?> DiffView(AllocationDiff diff, int proposed, AllocationSnapshot current, bool dryRun) => new()
    {
        ["dryRun"] = dryRun,
        ["currentGeneration"] = current.Pointer?.Generation,
        ["counts"] = new
        {
            current = current.Allocations.Count,
            proposed,
            added = diff.Added.Count,
            removed = diff.Removed.Count,
            changed = diff.Changed.Count,
            ownerChanged = diff.Changed.Count(c => c.OwnerChanged),
            unchanged = diff.Unchanged,
            customersAdded = diff.CustomersAdded.Count,
            customersRemoved = diff.CustomersRemoved.Count,
        },
        // A first import or a renumbering can touch every block: the counts are exact, the lists capped.
        ["truncated"] = diff.Added.Count > MaxDiffRowsShown || diff.Removed.Count > MaxDiffRowsShown || diff.Changed.Count > MaxDiffRowsShown,
        ["added"] = diff.Added.Take(MaxDiffRowsShown).Select(View),
        ["removed"] = diff.Removed.Take(MaxDiffRowsShown).Select(View),
        ["changed"] = diff.Changed.Take(MaxDiffRowsShown).Select(c => new { cidr = c.After.Prefix.ToString(), fields = c.Fields, before = View(c.Before), after = View(c.After) }),
        ["customersAdded"] = diff.CustomersAdded.Take(MaxDiffRowsShown),
        ["customersRemoved"] = diff.CustomersRemoved.Take(MaxDiffRowsShown),
    };

    private static object View(Allocation a) => new
    {
        cidr = a.Prefix.ToString(),
        customerId = a.CustomerId,
        resourceId = a.ResourceId,
        contactEmail = a.ContactEmail,
        customerSince = a.CustomerSince.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        language = a.Language,
    };
}

/// <summary>PUT /api/ops/allocations</summary>
public sealed class ImportAllocations(OpsEndpoint endpoint, AllocationStore store, OpsAudit audit)
{
    [Function(nameof(ImportAllocations))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/ops/allocations")] HttpRequest request) =>
        endpoint.RunAsync(request, () => AllocationRoutes.ImportAsync(request.HttpContext, store, audit));
}

/// <summary>GET /api/ops/allocations</summary>
public sealed class ListAllocations(OpsEndpoint endpoint, AllocationStore store)
{
    [Function(nameof(ListAllocations))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/allocations")] HttpRequest request) =>
        endpoint.RunAsync(request, () => AllocationRoutes.ListAsync(request.HttpContext, store));
}
