namespace AbuseDesk.Functions.Storage;

/// <summary>
/// Row keys in the cases table end with their partition key ("case|{caseId}", "h|000003|{caseId}"), so no two
/// rows anywhere share one. Azurite finds a row by its RowKey first and only then looks among those rows for the
/// PartitionKey: with keys like "case" or "h|000001" repeated in every case, each point read and each entity of
/// a transaction walked every case (at 80,000 rows, 6-entity transactions ran at 112/s with shared keys and 658/s
/// with unique ones; docs/performance.md). Azure Table Storage does not mind either way, and the suffix keeps a
/// partition's rows of one kind in order, so prefix ranges ("h|") still list them.
/// </summary>
public static class RowKeys
{
    public static string Own(string partitionKey, string key) => $"{key}|{partitionKey}";

    /// <summary>"{prefix}{sequence:D6}|{partitionKey}": the numbered rows of a partition (history, mails, outbox).</summary>
    public static string Numbered(string partitionKey, string prefix, int sequence) => Own(partitionKey, $"{prefix}{sequence:D6}");
}
