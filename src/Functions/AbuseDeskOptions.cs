using System.ComponentModel.DataAnnotations;

namespace AbuseDesk.Functions;

/// <summary>The "AbuseDesk" configuration section; validated at start-up so a bad setting never surfaces mid-flight.</summary>
public sealed class AbuseDeskOptions
{
    public const string Section = "AbuseDesk";

    /// <summary>Base of every link in a mail (the portal's public address).</summary>
    [Required, Url]
    public string PublicUrl { get; set; } = "http://127.0.0.1:7071";

    [Required]
    public StorageOptions Storage { get; set; } = new();

    [Required]
    public IntakeOptions Intake { get; set; } = new();

    [Required]
    public SmtpOptions Smtp { get; set; } = new();

    [Required]
    public TokenOptions Tokens { get; set; } = new();

    public EmailOptions Email { get; set; } = new();

    public OpsOptions Ops { get; set; } = new();

    public PlatformOptions Platform { get; set; } = new();

    public CaseOptions Cases { get; set; } = new();

    public DemoOptions Demo { get; set; } = new();

    /// <summary>The playbook file; relative paths are read from the app folder. ABUSEDESK_PLAYBOOKS sets it.</summary>
    public string Playbooks { get; set; } = "playbooks.yaml";
}

public sealed class StorageOptions
{
    /// <summary>A connection string (Azurite locally); or leave empty and set AccountName for managed identity.</summary>
    public string? ConnectionString { get; set; }

    public string? AccountName { get; set; }

    /// <summary>Client id of the user-assigned managed identity in Azure.</summary>
    public string? ClientId { get; set; }

    /// <summary>When above 0: log the storage calls made (by table/queue and operation) every so many seconds.</summary>
    [Range(0, 3600)]
    public int CallLogSeconds { get; set; }
}

public sealed class IntakeOptions
{
    [Range(1024, 1L << 32)]
    public long MaxReportBytes { get; set; } = 25L * 1024 * 1024;
}

public sealed class SmtpOptions
{
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int Port { get; set; } = 1025;

    /// <summary>STARTTLS (ACS's relay on 587 requires it); off for maildev.</summary>
    public bool StartTls { get; set; }

    public string? UserName { get; set; }

    public string? Password { get; set; }

    [Required]
    public string From { get; set; } = "AbuseDesk <abuse@example.net>";

    /// <summary>The abuse mailbox customers answer to.</summary>
    [Required]
    public string ReplyTo { get; set; } = "abuse@example.net";
}

/// <summary>
/// How fast and how persistently mail goes out (section AbuseDesk:Email). The defaults fit Azure Communication
/// Services' default quota for a custom domain (30 mails a minute); see docs/email.md.
/// </summary>
public sealed class EmailOptions
{
    /// <summary>Sustained rate: one token every minute/MaxPerMinute, shared by every send in this process.</summary>
    [Range(1, 100_000)]
    public int MaxPerMinute { get; set; } = 30;

    /// <summary>Tokens the bucket holds: how many mails may leave back to back after a quiet spell.</summary>
    [Range(1, 10_000)]
    public int Burst { get; set; } = 1;

    /// <summary>How long one send waits in the process for a token before it puts its message back with a delay instead.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>SMTP tries per mail; transient failures back off 2^attempt seconds (capped, jittered) in between.</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 8;

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Longest one SMTP conversation may take; a mail being sent is claimed for twice this long.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class TokenOptions
{
    /// <summary>Key id used to sign new links.</summary>
    public string ActiveKeyId { get; set; } = "k1";

    /// <summary>Key id → base64 secret (at least 32 bytes). Old ids stay listed while their links live.</summary>
    public Dictionary<string, string> Keys { get; set; } = [];

    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromDays(30);
}

public sealed class OpsOptions
{
    /// <summary>The ops key for x-functions-key / ?code= (ABUSEDESK_OPS_KEY sets it).</summary>
    public string? Key { get; set; }

    /// <summary>
    /// Take the actor from X-MS-CLIENT-PRINCIPAL-NAME. Only true behind App Service authentication, which sets
    /// the header and strips forged ones; on by default when running in Azure (WEBSITE_AUTH_ENABLED).
    /// </summary>
    public bool TrustPrincipalHeader { get; set; } = string.Equals(Environment.GetEnvironmentVariable("WEBSITE_AUTH_ENABLED"), "true", StringComparison.OrdinalIgnoreCase);
}

/// <summary>What one case may hold (section AbuseDesk:Cases); docs/evidence.md.</summary>
public sealed class CaseOptions
{
    /// <summary>
    /// Events a case keeps as readable evidence rows; later ones are only counted (total, first and last seen, a
    /// sample of the most recent). Bounds what one flood of reports can make a case cost to store and to show.
    /// </summary>
    [Range(0, 100_000)]
    public int MaxEvidencePerCase { get; set; } = 1000;
}

public sealed class DemoOptions
{
    /// <summary>Seed demo allocations and keys at start (ABUSEDESK_DEMO=1, the ./run default).</summary>
    public bool Enabled { get; set; }

    public string? ReporterKey { get; set; }
}

public sealed class PlatformOptions
{
    /// <summary>Where suspensions are also POSTed (optional; the suspensions queue always gets them).</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>The HMAC-SHA256 key shared with the platform for the webhook signature.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>How often a webhook call is tried before it is set aside on platform-webhook-poison for ops.</summary>
    [Range(1, 50)]
    public int WebhookAttempts { get; set; } = 10;

    /// <summary>The wait before the second try; each later wait doubles, up to an hour.</summary>
    public TimeSpan WebhookFirstRetry { get; set; } = TimeSpan.FromSeconds(30);
}
