using AbuseDesk.Domain.Feedback;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Feedback;

/// <summary>
/// A reporter's gathering (cases table, PK = "reporter|{reporterId}", RK = "batch"). Every item
/// that joins the open batch rewrites this row under its ETag, and so does the mail that closes a batch: an item can
/// therefore never join a batch whose mail was already composed, and the mail never misses an item that joined.
/// The partition also holds the items ("i|{reportId}|{kind}"), the batches' mails ("m|{batch}") and their outbox
/// rows ("o|window|{batch}" to reporter-feedback, "o|mail|{batch}" to feedback-outbox).
/// </summary>
public sealed class FeedbackBatchEntity : Entity
{
    private const string PartitionPrefix = "reporter|";

    public int Open { get; set; }
    public int Mailed { get; set; }
    public int Count { get; set; }
    public DateTimeOffset DueAt { get; set; }

    public static string PartitionFor(string reporterId) => PartitionPrefix + reporterId;

    public const string Row = "batch";

    /// <summary>The reporter whose feedback partition this is, or null for any other partition of the cases table.</summary>
    public static string? ReporterOf(string partition) =>
        partition.StartsWith(PartitionPrefix, StringComparison.Ordinal) ? partition[PartitionPrefix.Length..] : null;

    public static string ItemRow(string reportId, string kind) => $"{FeedbackItemEntity.Prefix}{reportId}|{kind}";

    public static string MailRow(int batch) => RowKeys.Numbered(Cases.MailEntity.Prefix, batch);

    public static string WindowOutboxRow(int batch) => RowKeys.Numbered(Cases.OutboxEntity.Prefix + "window|", batch);

    public static string MailOutboxRow(int batch) => RowKeys.Numbered(Cases.OutboxEntity.Prefix + "mail|", batch);

    public FeedbackBatchState State() => new(Open, Mailed, Count, DueAt);
}

/// <summary>One report's feedback of one kind (parsed, ended), waiting in its reporter's batch; at most one per report and kind, ever.</summary>
public sealed class FeedbackItemEntity : Entity
{
    public const string Prefix = "i|";

    public string ReportId { get; set; } = "";
    public string Kind { get; set; } = "";
    public int Batch { get; set; }
    public DateTimeOffset At { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public string? FileName { get; set; }
    public string Headline { get; set; } = "";
    public string Lead { get; set; } = "";

    /// <summary>The detail lines, as a JSON array (a parser's error may span lines).</summary>
    public string Details { get; set; } = "[]";

    public FeedbackSection Section() =>
        new(new ReportFacts(ReportId, ReceivedAt, FileName), Headline, Lead, Json.Deserialize<string[]>(Details) ?? []);
}
