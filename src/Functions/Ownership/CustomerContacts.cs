using System.Security.Cryptography;
using System.Text;
using AbuseDesk.Domain.Notifications;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Notifications;
using AbuseDesk.Functions.Storage;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Ownership;

/// <summary>
/// A customer's own abuse contact (customers table, PK = "contact", RK = customerId): the confirmed address abuse
/// notices go to instead of the allocation's, and a change waiting for its confirmation (only the hash of the link's
/// secret is kept). Its mails live in the customer's partition of the cases table ("customer|{id}") like digests.
/// </summary>
public sealed class CustomerContactEntity : Entity
{
    public const string Partition = "contact";

    public string? Confirmed { get; set; }
    public DateTimeOffset? ConfirmedAt { get; set; }

    /// <summary>"customer (case …)" or the ops person who set it.</summary>
    public string? ConfirmedBy { get; set; }

    public string? Pending { get; set; }
    public string? PendingSecretHash { get; set; }
    public DateTimeOffset? PendingExpiresAt { get; set; }
    public string? PendingRequestedBy { get; set; }

    /// <summary>Numbers this customer's contact mails (each change sends at most two).</summary>
    public int Mails { get; set; }
}

/// <summary>What became of a confirmation link.</summary>
public enum ContactConfirmation
{
    Confirmed,
    AlreadyConfirmed,
    Expired,
    Unknown,
}

/// <summary>
/// Who gets a customer's abuse notices. A customer changes the address from a case page: the new address gets a
/// link that confirms it (48 hours), so nobody can point the notices at an address they cannot read; once confirmed
/// the old address is told, so a change nobody asked for is noticed. Ops set it directly (and the old address is
/// told too). Until a customer sets one, notices go to the allocation's contact. The callers write the audit line.
/// </summary>
public sealed class CustomerContacts(DeskStorage storage, IOptions<AbuseDeskOptions> options, TimeProvider clock, ILogger<CustomerContacts> logger)
{
    public static readonly TimeSpan ConfirmWithin = TimeSpan.FromHours(48);

    private const string Used = "used:";

    private TableClient Table => storage.Customers;

    /// <summary>The confirmed address, or null: then notices go to the allocation's contact.</summary>
    public async Task<string?> ConfirmedAsync(string customerId, CancellationToken cancellationToken) =>
        (await GetAsync(customerId, cancellationToken))?.Confirmed;

    public async Task<CustomerContactEntity?> GetAsync(string customerId, CancellationToken cancellationToken)
    {
        var row = await Table.GetEntityIfExistsAsync<CustomerContactEntity>(CustomerContactEntity.Partition, customerId, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>
    /// Records <paramref name="address"/> as waiting for confirmation (a newer request replaces an older one) and
    /// mails the confirmation link to it. Returns when the link expires.
    /// </summary>
    public async Task<DateTimeOffset> RequestAsync(string customerId, string address, string requestedBy, string? language, CancellationToken cancellationToken)
    {
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var expires = clock.GetUtcNow() + ConfirmWithin;
        var row = await GetAsync(customerId, cancellationToken) ?? New(customerId);
        row.Pending = address;
        row.PendingSecretHash = Hash(secret);
        row.PendingExpiresAt = expires;
        row.PendingRequestedBy = requestedBy;
        var url = $"{options.Value.PublicUrl.TrimEnd('/')}/portal/contact/{Uri.EscapeDataString(customerId)}/{secret}";
        var mail = ContactMail.ComposeConfirmation(customerId, address, url, expires, language);
        // Saved first: a link whose secret is not stored yet would not work.
        row = await SaveAsync(row, cancellationToken);
        await SendAsync(row, customerId, "ContactConfirmation", address, mail, cancellationToken);
        logger.LogInformation("Customer {CustomerId}: a new abuse contact waits for its confirmation (asked by {By})", customerId, requestedBy);
        return expires;
    }

    /// <summary>Confirms the pending address if <paramref name="secret"/> is its link's; the old address is told.</summary>
    public async Task<(ContactConfirmation Outcome, string? Address)> ConfirmAsync(string customerId, string secret, string? fallbackOld, string? language, CancellationToken cancellationToken)
    {
        var row = await GetAsync(customerId, cancellationToken);
        if (row is null || secret.Length > 100)
        {
            return (ContactConfirmation.Unknown, null);
        }

        var given = Hash(secret);
        if (row.PendingSecretHash is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(given), Encoding.ASCII.GetBytes(row.PendingSecretHash)))
        {
            // A link used twice (a reload, a mail scanner after the customer) finds its address already in force.
            return row.Confirmed is not null && row.PendingSecretHash == Used + given ? (ContactConfirmation.AlreadyConfirmed, row.Confirmed) : (ContactConfirmation.Unknown, null);
        }

        if (row.PendingExpiresAt < clock.GetUtcNow())
        {
            return (ContactConfirmation.Expired, row.Pending);
        }

        var address = row.Pending!;
        var old = row.Confirmed ?? fallbackOld;
        row.Confirmed = address;
        row.ConfirmedAt = clock.GetUtcNow();
        row.ConfirmedBy = row.PendingRequestedBy;
        row.Pending = null;
        row.PendingExpiresAt = null;
        row.PendingRequestedBy = null;
        // Kept as the confirmed link's: its second use answers "already confirmed" rather than "unknown".
        row.PendingSecretHash = Used + given;
        row = await SaveAsync(row, cancellationToken);
        await TellOldAsync(row, customerId, old, address, byOps: false, language, cancellationToken);
        return (ContactConfirmation.Confirmed, address);
    }

    /// <summary>Ops set the address: in force at once, any pending change dropped, the old address told.</summary>
    public async Task SetAsync(string customerId, string address, string actor, string? fallbackOld, string? language, CancellationToken cancellationToken)
    {
        var row = await GetAsync(customerId, cancellationToken) ?? New(customerId);
        var old = row.Confirmed ?? fallbackOld;
        row.Confirmed = address;
        row.ConfirmedAt = clock.GetUtcNow();
        row.ConfirmedBy = actor;
        row.Pending = null;
        row.PendingSecretHash = null;
        row.PendingExpiresAt = null;
        row.PendingRequestedBy = null;
        row = await SaveAsync(row, cancellationToken);
        await TellOldAsync(row, customerId, old, address, byOps: true, language, cancellationToken);
    }

    private async Task TellOldAsync(CustomerContactEntity row, string customerId, string? old, string address, bool byOps, string? language, CancellationToken cancellationToken)
    {
        if (old is null || string.Equals(old, address, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        await SendAsync(row, customerId, "ContactChanged", old, ContactMail.ComposeChanged(customerId, old, address, byOps, language), cancellationToken);
    }

    /// <summary>Writes the mail row (numbered by the contact row, saved first) and queues it; the mail sender sends it once.</summary>
    private async Task SendAsync(CustomerContactEntity row, string customerId, string kind, string to, MailContent content, CancellationToken cancellationToken)
    {
        row.Mails++;
        row = await SaveAsync(row, cancellationToken);
        var partition = SendCustomerDigest.PartitionFor(customerId);
        var mailRow = $"{MailEntity.Prefix}contact|{row.Mails:D6}";
        await storage.Cases.UpsertEntityAsync(new MailEntity
        {
            PartitionKey = partition,
            RowKey = mailRow,
            Kind = kind,
            To = to,
            Subject = content.Subject,
            TextBody = content.Text,
            HtmlBody = content.Html,
            MessageId = $"contact.{customerId}.{row.Mails:D6}",
        }, TableUpdateMode.Replace, cancellationToken);
        await storage.Queue(DeskStorage.EmailOutboxQueue).SendMessageAsync(Json.Serialize(new EmailRequest(partition, mailRow)), cancellationToken);
    }

    private async Task<CustomerContactEntity> SaveAsync(CustomerContactEntity row, CancellationToken cancellationToken)
    {
        // Guarded by the ETag read: two changes at once cannot both think they won.
        var response = row.ETag == default
            ? await Table.AddEntityAsync(row, cancellationToken)
            : await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
        row.ETag = response.Headers.ETag ?? ETag.All;
        return row;
    }

    private static CustomerContactEntity New(string customerId) => new() { PartitionKey = CustomerContactEntity.Partition, RowKey = customerId };

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
