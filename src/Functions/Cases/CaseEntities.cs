using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Cases;

/// <summary>
/// The case's readable state (PK = caseId, RK = "case"). Its history, event links, mails and outbox share the
/// partition, so a state change and everything it implies commit in one entity-group transaction.
/// </summary>
public sealed class CaseEntity : Entity
{
    public const string Row = "case";

    /// <summary>The filter clause that selects state rows (and nothing else of the cases table).</summary>
    public static readonly string StateRows = Azure.Data.Tables.TableClient.CreateQueryFilter($"RowKey eq {Row}");

    public string CustomerId { get; set; } = "";
    public string ResourceId { get; set; } = "";
    public string AbuseClass { get; set; } = "";
    public string ContactEmail { get; set; } = "";
    public DateTimeOffset CustomerSince { get; set; }
    public string? Ip { get; set; }
    public string Status { get; set; } = "";
    /// <summary>Every event attached, kept as evidence or only counted.</summary>
    public int EventCount { get; set; }
    public DateTimeOffset OpenedAt { get; set; }

    /// <summary>The report chunk ("{reportId}|{chunk}") whose attach opened the case: the one that starts its orchestration.</summary>
    public string? OpenedBy { get; set; }

    /// <summary>First seen: the earliest event's time (or its attachment's, when the report gave none).</summary>
    public DateTimeOffset? FirstEventAt { get; set; }

    /// <summary>Last seen: the latest event's time (or its attachment's, when the report gave none).</summary>
    public DateTimeOffset? LastEventAt { get; set; }

    /// <summary>Events kept as readable evidence rows (at most AbuseDesk:Cases:MaxEvidencePerCase); the rest are only counted.</summary>
    public int EvidenceKept { get; set; }

    /// <summary>Evidence rows written: the next one is number EvidenceRows (<see cref="EvidenceEntity"/>).</summary>
    public int EvidenceRows { get; set; }

    /// <summary>The most recent distinct events, JSON (<see cref="CaseEvidence.Sample"/>): what is shown of the counted ones.</summary>
    public string? EvidenceSample { get; set; }
    public DateTimeOffset? NotifiedAt { get; set; }
    public DateTimeOffset? Deadline { get; set; }
    public int Version { get; set; }
    public bool ExtensionUsed { get; set; }
    public string? Resolution { get; set; }
    public string? ResolutionNote { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }

    public DateTimeOffset? LastNoticeAt { get; set; }
    public int EventsAtLastNotice { get; set; }
    public DateTimeOffset? DigestDueAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public DateTimeOffset? SuspendedAt { get; set; }
    public DateTimeOffset? ReinstatedAt { get; set; }
    public string? TerminationRequestedBy { get; set; }
    public string? TerminationReason { get; set; }

    /// <summary>The customer's mail language from the allocation ("en" when absent or unknown).</summary>
    public string? Language { get; set; }

    /// <summary>Last sequence number used for history, mail and outbox rows.</summary>
    public int Sequence { get; set; }

    /// <summary>
    /// The timers the case has armed and not yet seen fire, JSON (<see cref="ArmedTimer"/>): what its orchestration
    /// waits for, kept here so that a restarted orchestration, or a new one for a case that ended and came back,
    /// waits for the same.
    /// </summary>
    public string? Timers { get; set; }

    /// <summary>The orchestration step that last changed the case (<see cref="CaseStepRequest.StepId"/>) and what it answered, JSON.</summary>
    public string? LastStep { get; set; }

    public string? LastStepResult { get; set; }

    /// <summary>A field-by-field copy (strings are immutable, so shallow is whole).</summary>
    public CaseEntity Copy() => (CaseEntity)MemberwiseClone();

    public static async Task<CaseEntity?> LoadAsync(Azure.Data.Tables.TableClient cases, string caseId, CancellationToken cancellationToken)
    {
        var row = await cases.GetEntityIfExistsAsync<CaseEntity>(caseId, Row, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    public CaseState ToState() => new()
    {
        CaseId = PartitionKey,
        CustomerId = CustomerId,
        ResourceId = ResourceId,
        AbuseClass = AbuseClasses.TryParse(AbuseClass, out var abuseClass) ? abuseClass : Domain.Parsing.AbuseClass.Other,
        ContactEmail = ContactEmail,
        CustomerSince = DateOnly.FromDateTime(CustomerSince.UtcDateTime),
        Ip = Ip,
        Status = CaseStatuses.TryParse(Status, out var status) ? status : CaseStatus.New,
        EventCount = EventCount,
        OpenedAt = OpenedAt,
        LastEventAt = LastEventAt,
        NotifiedAt = NotifiedAt,
        Deadline = Deadline,
        Version = Version,
        ExtensionUsed = ExtensionUsed,
        Resolution = Resolution,
        ResolutionNote = ResolutionNote,
        ResolvedAt = ResolvedAt,
        LastNoticeAt = LastNoticeAt,
        EventsAtLastNotice = EventsAtLastNotice,
        DigestDueAt = DigestDueAt,
        EndedAt = EndedAt,
        SuspendedAt = SuspendedAt,
        ReinstatedAt = ReinstatedAt,
        TerminationRequestedBy = TerminationRequestedBy,
        TerminationReason = TerminationReason,
    };

    public void Apply(CaseState state)
    {
        Status = state.Status.ToWireName();
        EventCount = state.EventCount;
        LastEventAt = state.LastEventAt;
        NotifiedAt = state.NotifiedAt;
        Deadline = state.Deadline;
        Version = state.Version;
        ExtensionUsed = state.ExtensionUsed;
        Resolution = state.Resolution;
        ResolutionNote = state.ResolutionNote;
        ResolvedAt = state.ResolvedAt;
        LastNoticeAt = state.LastNoticeAt;
        EventsAtLastNotice = state.EventsAtLastNotice;
        DigestDueAt = state.DigestDueAt;
        EndedAt = state.EndedAt;
        SuspendedAt = state.SuspendedAt;
        ReinstatedAt = state.ReinstatedAt;
        TerminationRequestedBy = state.TerminationRequestedBy;
        TerminationReason = state.TerminationReason;
    }
}

/// <summary>One history line (RK = "h|{sequence}"): append-only.</summary>
public sealed class HistoryEntity : Entity
{
    public const string Prefix = "h|";

    public DateTimeOffset At { get; set; }
    public string What { get; set; } = "";
    public string Actor { get; set; } = "";
    public string? Rule { get; set; }
    public string? Detail { get; set; }

    /// <summary>Safeties checked for this decision, one per line ("name: result").</summary>
    public string? Safeties { get; set; }
    public int Version { get; set; }
}

/// <summary>
/// Events of one report chunk attached to the case (RK = "e|{reportId}|{chunk}"), added in the same
/// transaction as the case's new count: its existence is what makes attaching idempotent. The events
/// themselves live in the events table, partition "{reportId}-{chunk}", marked with this case's id; the ones the
/// case keeps as evidence are copied into its own partition (<see cref="EvidenceEntity"/>).
/// </summary>
public sealed class CaseEventLinkEntity : Entity
{
    public const string Prefix = "e|";

    public string ReportId { get; set; } = "";
    public int Chunk { get; set; }
    public int Count { get; set; }

    /// <summary>Of <see cref="Count"/>, the events kept as evidence rows (the rest were over the case's cap).</summary>
    public int Kept { get; set; }

    public static string RowKeyFor(string reportId, int chunk) => $"{Prefix}{reportId}|{chunk:D5}";
}

/// <summary>
/// Up to <see cref="CaseEvidence.MaxItemsPerRow"/> of the case's events, JSON (RK = "v|{99999999 - number}"),
/// added in the attachment's transaction with the link and the count, numbered from the case row's
/// <see cref="CaseEntity.EvidenceRows"/> under its ETag. The numbers run backwards in the key so that the newest
/// evidence comes first in a key-range read: a page is one query from a cursor (row number, offset) to the
/// end of the prefix, and never leaves the case's partition.
/// </summary>
public sealed class EvidenceEntity : Entity
{
    public const string Prefix = "v|";

    private const int Top = 99_999_999;

    public int Number { get; set; }
    public int Count { get; set; }
    public string ReportId { get; set; } = "";
    public int Chunk { get; set; }

    /// <summary>The events, in report order (<see cref="CaseEvidence.Pack"/>).</summary>
    public string Events { get; set; } = "";

    /// <summary>Row <paramref name="number"/>'s key: a range starting here starts at that row.</summary>
    public static string RowKeyFor(int number) => $"{Prefix}{Top - number:D8}";
}

/// <summary>
/// A message the case owes the world (RK = "o|{sequence}"), written with the state change that caused it
/// and sent after the commit (<see cref="CaseOutbox"/>). Whatever crashes in between, the step run again flushes it.
/// </summary>
public sealed class OutboxEntity : Entity
{
    public const string Prefix = "o|";

    public string Queue { get; set; } = "";
    public string Body { get; set; } = "";
    public bool Sent { get; set; }
}

/// <summary>A mail to the customer (RK = "m|{sequence}"), rendered at decision time so a resend is byte-identical.</summary>
public sealed class MailEntity : Entity
{
    public const string Prefix = "m|";

    public string Kind { get; set; } = "";
    public string To { get; set; } = "";
    public string Subject { get; set; } = "";
    public string TextBody { get; set; } = "";
    public string HtmlBody { get; set; } = "";
    public string MessageId { get; set; } = "";
    public string Status { get; set; } = Notifications.SendEmail.Pending;
    public DateTimeOffset? SentAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }

    /// <summary>A sender is talking SMTP for this mail until then; others wait instead of sending it twice.</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }

    /// <summary>After a transient failure: not before then (the backoff).</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset? FailedAt { get; set; }
}

/// <summary>The open-case guard (PK = customerId, RK = "{resourceId}|{class}").</summary>
public sealed class OpenCaseEntity : Entity
{
    public string CaseId { get; set; } = "";
}

/// <summary>
/// A customer's digest bookkeeping (PK = "customer|{customerId}", RK = "digest"): when the last digest went, which
/// cases it covered at which event count ("{caseId} {count}" per line), the digest step that sent it, and when the
/// next digest is due. Its mails and outbox rows share the partition.
/// </summary>
public sealed class CustomerDigestEntity : Entity
{
    public const string Row = "digest";

    public string CustomerId { get; set; } = "";
    public DateTimeOffset? LastSentAt { get; set; }
    public string? Covered { get; set; }

    /// <summary>The digest orchestration's step that sent the last digest: run again, it answers the same.</summary>
    public string? LastStep { get; set; }
    public DateTimeOffset? NextDueAt { get; set; }
    public int Sequence { get; set; }
}
