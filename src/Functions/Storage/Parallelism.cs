namespace AbuseDesk.Functions.Storage;

/// <summary>
/// How many independent storage requests one handler keeps in flight. Table batches to different partitions
/// and queue sends are independent; a modest fan-out hides round-trip latency without swamping the account.
/// </summary>
public static class Parallelism
{
    public const int StorageRequests = 16;

    public static ParallelOptions For(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = StorageRequests, CancellationToken = cancellationToken };
}
