using System.Security.Cryptography;
using System.Text;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Intake;

/// <summary>A reporter (PK = "reporter", RK = reporterId). Its key is stored only as a hash.</summary>
public sealed class ReporterEntity : Entity
{
    public const string Partition = "reporter";

    public string Name { get; set; } = "";
    public string? ContactEmail { get; set; }
    public bool WantsFeedback { get; set; }
    public string KeyHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public bool Revoked { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }
    public string? RevokeReason { get; set; }

    // Limits ops set for this reporter; null: the desk's default (AbuseDesk:Intake:ReporterLimits).
    public int? ReportsPerMinute { get; set; }
    public long? BytesPerDay { get; set; }
    public long? EventsPerDay { get; set; }

    /// <summary>Addresses and "@domains" whose mail to the abuse mailbox is this reporter's, one per line; the rows a mail is looked up by are kept beside it.</summary>
    public string? MailSenders { get; set; }

    public IReadOnlyList<string> MailSenderList() => MailSenders?.Split('\n', StringSplitOptions.RemoveEmptyEntries) ?? [];
}

/// <summary>Key lookup row (PK = "key", RK = SHA-256 of the key) → reporterId.</summary>
public sealed class ReporterKeyEntity : Entity
{
    public const string Partition = "key";

    public string ReporterId { get; set; } = "";

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
