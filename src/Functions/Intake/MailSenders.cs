using AbuseDesk.Domain.Ownership;
using AbuseDesk.Functions.Storage;
using Azure;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Intake;

/// <summary>The reporter a mail to the abuse address is taken in as, and why (a line kept on the report).</summary>
public sealed record MailSender(string ReporterId, bool Known, string Why);

/// <summary>One "sender" row (reporters table, PK = "sender", RK = an address or "@domain"): whose mail that is.</summary>
public sealed class SenderEntity : Entity
{
    public const string Partition = "sender";

    public string ReporterId { get; set; } = "";
}

/// <summary>
/// Maps a mail's sender to a reporter. Ops give a reporter its senders: addresses ("reports@feed.example") or whole
/// domains ("@feed.example", subdomains included). A From header is whatever the sender typed, so a match counts
/// only when DKIM or SPF vouches for the From domain (<see cref="SenderVerdict.Authenticated"/>); otherwise, and for
/// anyone unknown, the mail is the "public" reporter's, which has its own, smaller limits
/// (<see cref="MailboxOptions.PublicLimits"/>). A forged From therefore never borrows a feed's limits or trust.
/// </summary>
public sealed class MailSenders(DeskStorage storage, Reporters reporters, IOptions<AbuseDeskOptions> options)
{
    public const string PublicReporterId = "public-mail";

    public const int MaxSendersPerReporter = 50;

    /// <summary>The reporter for a mail with this verdict, creating the public reporter on first use.</summary>
    public async Task<MailSender> ResolveAsync(SenderVerdict verdict, CancellationToken cancellationToken)
    {
        if (verdict.FromAddress is { } from && await FindAsync(from, cancellationToken) is { } match)
        {
            var (reporter, claimed) = match;
            if (reporter.Revoked)
            {
                await EnsurePublicReporterAsync(cancellationToken);
                return new MailSender(PublicReporterId, false, $"sender {claimed} belongs to {reporter.Name}, whose key is revoked: taken in as public");
            }

            if (verdict.Authenticated)
            {
                return new MailSender(reporter.RowKey, true, $"sender {claimed} is {reporter.Name}'s, and {verdict.Summary}");
            }

            await EnsurePublicReporterAsync(cancellationToken);
            return new MailSender(PublicReporterId, false, $"From {from} would be {reporter.Name}'s, but neither DKIM nor SPF vouches for it ({verdict.Summary}): taken in as public");
        }

        await EnsurePublicReporterAsync(cancellationToken);
        return new MailSender(PublicReporterId, false, $"no known reporter sends from {verdict.FromAddress ?? "(no From address)"}: taken in as public; {verdict.Summary}");
    }

    /// <summary>What is wrong with one sender as ops gave it ("someone@example.org" or "@example.org"), or null.</summary>
    public static string? Problem(string sender)
    {
        if (sender.StartsWith('@'))
        {
            var domain = sender[1..];
            return domain.Length is > 0 and <= 253 && domain.Contains('.', StringComparison.Ordinal)
                && domain.Split('.').All(label => label.Length is > 0 and <= 63 && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
                ? null
                : "is no domain (give \"@example.org\")";
        }

        return ContactAddress.Problem(sender);
    }

    public static string Normalize(string sender) => sender.Trim().ToLowerInvariant();

    /// <summary>The reporter that already holds one of these senders, other than <paramref name="reporterId"/>.</summary>
    public async Task<(string Sender, string ReporterId)?> TakenAsync(string reporterId, IEnumerable<string> senders, CancellationToken cancellationToken)
    {
        foreach (var sender in senders)
        {
            var row = await storage.Reporters.GetEntityIfExistsAsync<SenderEntity>(SenderEntity.Partition, sender, cancellationToken: cancellationToken);
            if (row.HasValue && row.Value!.ReporterId != reporterId)
            {
                return (sender, row.Value.ReporterId);
            }
        }

        return null;
    }

    /// <summary>
    /// Gives the reporter exactly these senders: rows of senders it no longer has go, new ones are added. The
    /// reporter's own list is written by the caller; these rows are the index a mail is looked up by.
    /// </summary>
    public async Task IndexAsync(string reporterId, IReadOnlyCollection<string> before, IReadOnlyCollection<string> after, CancellationToken cancellationToken)
    {
        foreach (var sender in after.Except(before, StringComparer.Ordinal))
        {
            await storage.Reporters.UpsertEntityAsync(new SenderEntity { PartitionKey = SenderEntity.Partition, RowKey = sender, ReporterId = reporterId }, cancellationToken: cancellationToken);
        }

        foreach (var sender in before.Except(after, StringComparer.Ordinal))
        {
            try
            {
                await storage.Reporters.DeleteEntityAsync(SenderEntity.Partition, sender, ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Already gone.
            }
        }
    }

    /// <summary>The reporter by exact address first, then by its domain and each parent domain above the top level ("@mx.feed.example", then "@feed.example").</summary>
    private async Task<(ReporterEntity Reporter, string Claimed)?> FindAsync(string address, CancellationToken cancellationToken)
    {
        var at = address.LastIndexOf('@');
        var candidates = new List<string> { address };
        if (at > 0)
        {
            var labels = address[(at + 1)..].Split('.');
            for (var i = 0; i < labels.Length - 1; i++)
            {
                candidates.Add("@" + string.Join('.', labels[i..]));
            }
        }

        foreach (var candidate in candidates)
        {
            var row = await storage.Reporters.GetEntityIfExistsAsync<SenderEntity>(SenderEntity.Partition, candidate, cancellationToken: cancellationToken);
            if (row.HasValue && await reporters.FindAsync(row.Value!.ReporterId, cancellationToken) is { } reporter)
            {
                return (reporter, candidate);
            }
        }

        return null;
    }

    /// <summary>The public reporter, made once with the configured limits (ops may change them later like any reporter's).</summary>
    private async Task EnsurePublicReporterAsync(CancellationToken cancellationToken)
    {
        if (await reporters.FindAsync(PublicReporterId, cancellationToken) is not null)
        {
            return;
        }

        var limits = options.Value.Mailbox.PublicLimits;
        // Its key is never shown: nobody reports as the public over HTTP.
        await reporters.CreateAsync("Public (abuse mailbox)", null, false, null, PublicReporterId, cancellationToken,
            new OwnLimits(limits.ReportsPerMinute, limits.BytesPerDay, limits.EventsPerDay));
    }
}
