using System.ComponentModel.DataAnnotations;

namespace AbuseDesk.Functions;

/// <summary>The "AbuseDesk" configuration section; validated at start-up so a bad setting never surfaces mid-flight.</summary>
public sealed class AbuseDeskOptions : IValidatableObject
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

    public MailboxOptions Mailbox { get; set; } = new();

    [Required]
    public DnsOptions Dns { get; set; } = new();

    /// <summary>The playbook file; relative paths are read from the app folder. ABUSEDESK_PLAYBOOKS sets it.</summary>
    public string Playbooks { get; set; } = "playbooks.yaml";

    // Data annotations do not look into nested objects on their own: without this a section's ranges would go
    // unchecked and a bad value would surface mid-flight instead of at start.
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Nested(nameof(Storage), Storage).Concat(Nested(nameof(Intake), Intake)).Concat(Nested($"{nameof(Intake)}:{nameof(IntakeOptions.ReporterLimits)}", Intake.ReporterLimits))
            .Concat(Nested(nameof(Smtp), Smtp)).Concat(Nested(nameof(Tokens), Tokens)).Concat(Nested(nameof(Email), Email))
            .Concat(Nested(nameof(Ops), Ops)).Concat(Nested(nameof(Platform), Platform)).Concat(Nested(nameof(Demo), Demo)).Concat(Nested(nameof(Dns), Dns)).Concat(Nested(nameof(Cases), Cases))
            .Concat(Nested(nameof(Mailbox), Mailbox)).Concat(Nested($"{nameof(Mailbox)}:{nameof(MailboxOptions.PublicLimits)}", Mailbox.PublicLimits));

    private static IEnumerable<ValidationResult> Nested(string section, object? options)
    {
        if (options is null)
        {
            return [];
        }

        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => new ValidationResult($"{Section}:{section}: {r.ErrorMessage}", r.MemberNames));
    }
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

    /// <summary>What a reporter may send unless ops set its own: sized for an individual, not a feed.</summary>
    [Required]
    public ReporterLimitOptions ReporterLimits { get; set; } = new();
}

public sealed class ReporterLimitOptions
{
    [Range(1, 1_000_000)]
    public int ReportsPerMinute { get; set; } = 30;

    [Range(1024, long.MaxValue)]
    public long BytesPerDay { get; set; } = 100L * 1024 * 1024;

    [Range(1, long.MaxValue)]
    public long EventsPerDay { get; set; } = 20_000;
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

/// <summary>
/// Looking up the hosts of URL-only complaints (docs/url-hosts.md). In Azure the platform's resolver (168.63.129.16)
/// answers when no server is named; locally and in tests a named server does.
/// </summary>
public sealed class DnsOptions : IValidatableObject
{
    /// <summary>"address" or "address:port"; empty: the machine's resolvers.</summary>
    public List<string> Servers { get; set; } = [];

    /// <summary>Per query; a host that does not answer in time stays unrouted saying so.</summary>
    [Range(100, 30_000)]
    public int TimeoutMilliseconds { get; set; } = 2_000;

    /// <summary>Distinct hosts looked up per report; the rest of its URL-only events stay unrouted, noted on the report.</summary>
    [Range(0, 10_000)]
    public int MaxHostsPerReport { get; set; } = 100;

    /// <summary>Longest an answer is reused (DNS TTLs shorter than this are kept).</summary>
    [Range(0, 86_400)]
    public int MaxCacheSeconds { get; set; } = 300;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var server in Servers)
        {
            if (ParseServer(server) is null)
            {
                yield return new ValidationResult($"'{server}' is not an IP address or IP:port", [nameof(Servers)]);
            }
        }
    }

    public static System.Net.IPEndPoint? ParseServer(string text) =>
        System.Net.IPEndPoint.TryParse(text, out var endpoint) && endpoint.Address.ToString() is not "0.0.0.0"
            ? new System.Net.IPEndPoint(endpoint.Address, endpoint.Port == 0 ? 53 : endpoint.Port)
            : null;
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

    /// <summary>
    /// How long the engine keeps a finished orchestration's own history (Instances and History rows) before
    /// <see cref="Cases.PurgeEngineHistory"/> deletes it. The case's history rows are the desk's and are kept.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan EngineHistoryRetention { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>
/// The abuse mailbox read over IMAP (section AbuseDesk:Mailbox; docs/mailbox.md). Off while <see cref="Host"/> is
/// empty. In Azure the password is a Key Vault reference.
/// </summary>
public sealed class MailboxOptions : IValidatableObject
{
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 993;

    /// <summary>"Tls" (implicit, port 993), "StartTls" or "None" (loopback test servers only).</summary>
    public MailboxSecurity Security { get; set; } = MailboxSecurity.Tls;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>
    /// When set, the app signs in with SASL XOAUTH2 and a token for this scope from its managed identity (Exchange
    /// Online: https://outlook.office365.com/.default) instead of the password.
    /// </summary>
    public string? OAuth2Scope { get; set; }

    /// <summary>
    /// A mail server whose certificate no public CA issued (an in-house server, a private CA) is trusted when its
    /// certificate's SHA-256 (hex, of the DER bytes) is this one; otherwise the usual chain and name checks decide.
    /// </summary>
    public string? ServerCertificateSha256 { get; set; }

    [Required]
    public string Folder { get; set; } = "INBOX";

    /// <summary>Where a message goes once its report is stored: the inbox keeps meaning "still to read".</summary>
    [Required]
    public string StoredFolder { get; set; } = "AbuseDesk/Stored";

    /// <summary>Where a message goes that the desk will not take in (too big, over its sender's limits), for ops.</summary>
    [Required]
    public string RefusedFolder { get; set; } = "AbuseDesk/Refused";

    /// <summary>Messages taken per run; a backlog is worked off over several runs, oldest first.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 50;

    /// <summary>Longest one IMAP command may take before the run gives up until the next.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// authserv-ids whose Authentication-Results headers are the mailbox provider's own (its MTA saw the SMTP
    /// connection, so its SPF verdict is believed); anyone can write such a header, so only these count.
    /// </summary>
    public List<string> TrustedAuthServIds { get; set; } = [];

    /// <summary>The limits of the "public" reporter: whoever mails the abuse address and is no known reporter.</summary>
    [Required]
    public ReporterLimitOptions PublicLimits { get; set; } = new() { ReportsPerMinute = 10, BytesPerDay = 50L * 1024 * 1024, EventsPerDay = 2_000 };

    public bool Configured => !string.IsNullOrWhiteSpace(Host);

    /// <summary>The pin as hex digits only: colons (openssl's way of writing it) and surrounding space dropped.</summary>
    public static string PinHex(string pin) => pin.Trim().Replace(":", "", StringComparison.Ordinal);

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Configured && string.IsNullOrEmpty(UserName))
        {
            yield return new ValidationResult("UserName is required once Host is set.", [nameof(UserName)]);
        }

        if (Configured && string.IsNullOrEmpty(Password) && string.IsNullOrEmpty(OAuth2Scope))
        {
            yield return new ValidationResult("Password or OAuth2Scope is required once Host is set.", [nameof(Password)]);
        }

        if (!string.IsNullOrEmpty(ServerCertificateSha256) && !System.Text.RegularExpressions.Regex.IsMatch(PinHex(ServerCertificateSha256), @"\A[0-9A-Fa-f]{64}\z"))
        {
            yield return new ValidationResult("ServerCertificateSha256 must be 64 hex digits (colons allowed).", [nameof(ServerCertificateSha256)]);
        }

        // The password would cross the network in clear: only a server on this machine may go without TLS.
        if (Configured && Security == MailboxSecurity.None && !IsLoopback(Host!))
        {
            yield return new ValidationResult($"Security None is for a mail server on this machine only; {Host} needs Tls or StartTls.", [nameof(Security)]);
        }

        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(5))
        {
            yield return new ValidationResult("Timeout must be above zero and at most five minutes.", [nameof(Timeout)]);
        }
    }
}

public enum MailboxSecurity
{
    Tls,
    StartTls,
    None,
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
