using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Intake;

/// <summary>One received report (PK = reportId, RK = "report"). The raw bytes live in the blob it names.</summary>
public sealed class ReportEntity : Entity
{
    public const string Row = "report";

    public string ReporterId { get; set; } = "";
    public string BlobName { get; set; } = "";
    public string ContentType { get; set; } = "";
    public string? FileName { get; set; }
    public string? ReportTypeHint { get; set; }
    public long Size { get; set; }
    public string Status { get; set; } = ReportStatus.Received;
    public string? Format { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public int EventCount { get; set; }
    public int RoutedCount { get; set; }
    public int UnroutedCount { get; set; }
    public string? Error { get; set; }

    /// <summary>Why a mail is no report (a bounce, an auto-reply): its <see cref="Error"/>, read as such when ignored.</summary>
    [System.Runtime.Serialization.IgnoreDataMember]
    public string? IgnoredReason => Status == ReportStatus.Ignored ? Error : null;

    /// <summary>Non-fatal findings of the parser (skipped rows, unknown feed type), for ops.</summary>
    public string? Notes { get; set; }

    /// <summary>
    /// The first pass read the report whole without a failure and its events fitted the reporter's allowance: only
    /// then is anything routed (a failed report leaves nothing on any case).
    /// </summary>
    public bool Checked { get; set; }

    /// <summary>URL-only events whose host was past the per-report lookup limit: they stay unrouted (noted for ops).</summary>
    public long UrlHostsNotLookedUp { get; set; }

    /// <summary>Chunks of events fully stored and attached: a redelivered message resumes after them.</summary>
    public int ChunksDone { get; set; }

    /// <summary>How many times ops asked for this report to be parsed again.</summary>
    public int Reparses { get; set; }

    /// <summary>For a report read from the abuse mailbox: its From address (null for a POST or an inbox drop).</summary>
    public string? MailFrom { get; set; }

    /// <summary>Whether DKIM or SPF vouched for the From domain (<see cref="SenderVerdict.Authenticated"/>).</summary>
    public bool? MailAuthenticated { get; set; }

    /// <summary>The DKIM and SPF verdicts in one line, and why the sender is the reporter it is.</summary>
    public string? MailVerdict { get; set; }
}

/// <summary>Where a report read from the abuse mailbox came from, and what vouched for it, kept on its report.</summary>
public sealed record MailOrigin(string? From, bool Authenticated, string Verdict);

public static class ReportStatus
{
    public const string Received = "received";
    public const string Parsed = "parsed";
    public const string Failed = "failed";

    /// <summary>
    /// Not a report at all (a delivery-status notification, an automatic reply, an unsubscribe confirmation, a
    /// challenge-response): kept with the reason in <see cref="ReportEntity.Error"/>, no events, no feedback mail.
    /// </summary>
    public const string Ignored = "ignored";
}
