using System.Globalization;
using AbuseDesk.Functions.Storage;
using Azure;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Cases;

/// <summary>
/// Durable timers as rows grouped by the second they are due, with ONE delayed case-workflow message per second
/// ("timer-bucket") instead of one per timer. Ten thousand armed reminders become a hundred or so standing
/// messages: cheaper in Azure (fewer queue transactions, one fan-out per second) and decisive on Azurite, whose
/// queue calls walk every stored message (receive with 10,000 delayed messages standing: 12 messages/s instead
/// of 300). Each row still carries its case-workflow message (case, kind, version, due time), so a timer made
/// stale by a resolution does nothing when its bucket fires. See docs/timers.md.
/// </summary>
public sealed class TimerWheel(DeskStorage storage, TimeProvider clock, ILogger<TimerWheel> logger)
{
    public const string BucketKind = "timer-bucket";
    private const string MarkerPrefix = "!bucket";

    /// <summary>Timers due sooner than this skip the wheel: a direct delayed message stands only briefly.</summary>
    private static readonly TimeSpan Near = TimeSpan.FromSeconds(2);

    /// <summary>A marker this old that says "not queued" belongs to an arming process that died before sending.</summary>
    private static readonly TimeSpan Orphaned = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Buckets this process has seen queued: arming another timer into one of them is a single row write. A failed
    /// check leaves again, so the cache can skip work but never a bucket message. Concurrent arms into a bucket not
    /// yet seen share one check (a thousand transitions a second otherwise all race to add the same marker, and all
    /// but one pay a conflict and a read).
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task>> _queued = new(StringComparer.Ordinal);

    /// <summary>Timers armed at about the same time fall into the same seconds: their rows are written together.</summary>
    private readonly GroupedUpserts<TimerEntity> _rows = new(storage.Timers);

    public static string BucketFor(DateTimeOffset dueAt)
    {
        var second = new DateTimeOffset(dueAt.UtcTicks - (dueAt.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        // Rounded up: a bucket fires when every timer in it is due.
        var bucket = second == dueAt.ToUniversalTime() ? second : second.AddSeconds(1);
        return bucket.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
    }

    public static DateTimeOffset DueOf(string bucket) =>
        DateTimeOffset.ParseExact(bucket, "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>Arms a case-workflow timer message due at <paramref name="dueAt"/>. Idempotent: re-arming rewrites the same row.</summary>
    public async Task ArmAsync(string message, string timerKey, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        var remaining = dueAt - clock.GetUtcNow();
        if (remaining < Near)
        {
            await storage.Queue(DeskStorage.CaseWorkflowQueue).SendMessageAsync(message, visibilityTimeout: CaseTransitions.TimerDelay(remaining), cancellationToken: cancellationToken);
            return;
        }

        var bucket = BucketFor(dueAt);
        await _rows.UpsertAsync(new TimerEntity { PartitionKey = bucket, RowKey = timerKey, Message = message }, cancellationToken);
        if (_queued.Count > 100_000)
        {
            // Seconds long past; forgetting them only costs a marker read each.
            _queued.Clear();
        }

        var ensured = _queued.GetOrAdd(bucket, b => new Lazy<Task>(() => EnsureQueuedAsync(b, CancellationToken.None)));
        try
        {
            await ensured.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (ensured.Value.IsFaulted)
        {
            // Not known to be queued after all: the next arm into this bucket checks again.
            _queued.TryRemove(new KeyValuePair<string, Lazy<Task>>(bucket, ensured));
            throw;
        }
    }

    /// <summary>Makes sure one bucket message is on its way: the marker row decides who sends it.</summary>
    private async Task EnsureQueuedAsync(string bucket, CancellationToken cancellationToken)
    {
        var marker = new TimerEntity { PartitionKey = bucket, RowKey = MarkerRowFor(bucket) };
        try
        {
            var added = await storage.Timers.AddEntityAsync(marker, cancellationToken);
            marker.ETag = added.Headers.ETag ?? ETag.All;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = (await storage.Timers.GetEntityAsync<TimerEntity>(bucket, MarkerRowFor(bucket), cancellationToken: cancellationToken)).Value;
            if (existing.Queued || existing.Timestamp > clock.GetUtcNow() - Orphaned)
            {
                return;
            }

            marker = existing;
        }

        var message = Json.Serialize(new CaseWorkflowMessage(bucket, BucketKind, DueAt: DueOf(bucket)));
        await storage.Queue(DeskStorage.CaseWorkflowQueue).SendMessageAsync(message, visibilityTimeout: CaseTransitions.TimerDelay(DueOf(bucket) - clock.GetUtcNow()), cancellationToken: cancellationToken);
        marker.Queued = true;
        try
        {
            await storage.Timers.UpdateEntityAsync(marker, marker.ETag, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Fired already, or another process re-sent it: a second bucket message finds nothing left to do.
        }
    }

    /// <summary>
    /// The bucket's second has come: runs every timer in it (in parallel; each is idempotent), then deletes the
    /// handled rows, a hundred to a transaction. A failure leaves the unhandled rows and throws, so the message is
    /// retried for exactly those.
    /// </summary>
    public async Task FireAsync(string bucket, Func<string, long, CancellationToken, Task> run, long dequeueCount, CancellationToken cancellationToken)
    {
        var rows = new List<TimerEntity>();
        await foreach (var row in storage.Timers.QueryAsync<TimerEntity>(t => t.PartitionKey == bucket, cancellationToken: cancellationToken))
        {
            if (!row.RowKey.StartsWith(MarkerPrefix, StringComparison.Ordinal))
            {
                rows.Add(row);
            }
        }

        var failures = 0;
        var handled = new System.Collections.Concurrent.ConcurrentBag<TimerEntity>();
        await Parallel.ForEachAsync(rows, Parallelism.For(cancellationToken), async (row, ct) =>
        {
            try
            {
                await run(row.Message, dequeueCount, ct);
                handled.Add(row);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Interlocked.Increment(ref failures);
                logger.LogWarning(ex, "Timer {Timer} of bucket {Bucket} failed; the bucket will be retried", row.RowKey, bucket);
            }
        });

        await DeleteAsync(bucket, handled, cancellationToken);
        if (failures > 0)
        {
            throw new InvalidOperationException($"{failures} of {rows.Count} timer(s) in bucket {bucket} failed");
        }

        await storage.Timers.DeleteEntityAsync(bucket, MarkerRowFor(bucket), ETag.All, cancellationToken);
    }

    private async Task DeleteAsync(string bucket, IEnumerable<TimerEntity> rows, CancellationToken cancellationToken)
    {
        foreach (var chunk in rows.Chunk(100))
        {
            try
            {
                await storage.Timers.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All)), cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                // Another delivery of this bucket deleted some of them first: delete the rest one by one.
                foreach (var row in chunk)
                {
                    try
                    {
                        await storage.Timers.DeleteEntityAsync(bucket, row.RowKey, ETag.All, cancellationToken);
                    }
                    catch (RequestFailedException gone) when (gone.Status == 404)
                    {
                    }
                }
            }
        }
    }

    /// <summary>The bucket's marker row; its key names the bucket too (<see cref="RowKeys"/>).</summary>
    private static string MarkerRowFor(string bucket) => RowKeys.Own(bucket, MarkerPrefix);
}

/// <summary>An armed timer (PK = due second "yyyyMMddHHmmss", RK = what it is for) or its bucket's marker (RK "!bucket|{second}").</summary>
public sealed class TimerEntity : Entity
{
    /// <summary>The case-workflow message to run when the bucket fires.</summary>
    public string Message { get; set; } = "";

    /// <summary>On the marker: the bucket's delayed message has been sent.</summary>
    public bool Queued { get; set; }
}
