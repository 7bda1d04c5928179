using System.Threading.Channels;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Storage;

/// <summary>
/// Upserts that many callers make at once into few partitions (the timer wheel's rows, by due second) are written
/// together: each caller awaits its own row, and the rows that arrive while a write is in flight go out in the
/// next one, one entity-group transaction per partition and hundred rows. Under load a hundred timers cost one
/// storage call instead of a hundred; a row that comes alone waits for nothing but its own write.
/// </summary>
public sealed class GroupedUpserts<T>
    where T : class, ITableEntity
{
    private const int MaxDrain = 2_000;
    private readonly TableClient _table;
    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    public GroupedUpserts(TableClient table)
    {
        _table = table;
        _ = Task.Run(WriteAsync);
    }

    private sealed record Pending(T Entity, TaskCompletionSource Done);

    /// <summary>Completes once the row is stored (replacing any row with its keys); throws if its write failed.</summary>
    public Task UpsertAsync(T entity, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite(new Pending(entity, done)))
        {
            throw new InvalidOperationException("grouped upserts are closed");
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    private async Task WriteAsync()
    {
        var drained = new List<Pending>();
        while (await _pending.Reader.WaitToReadAsync())
        {
            drained.Clear();
            while (drained.Count < MaxDrain && _pending.Reader.TryRead(out var next))
            {
                drained.Add(next);
            }

            // A transaction may hold a row once: callers of the same row share its write (the last one's content).
            var writes = drained
                .GroupBy(p => p.Entity.PartitionKey, StringComparer.Ordinal)
                .SelectMany(partition => partition.GroupBy(p => p.Entity.RowKey, StringComparer.Ordinal).Chunk(100))
                .ToList();
            await Parallel.ForEachAsync(writes, new ParallelOptions { MaxDegreeOfParallelism = Parallelism.StorageRequests }, async (rows, _) =>
            {
                try
                {
                    if (rows.Length == 1)
                    {
                        await _table.UpsertEntityAsync(rows[0].Last().Entity, TableUpdateMode.Replace, CancellationToken.None);
                    }
                    else
                    {
                        await _table.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r.Last().Entity)), CancellationToken.None);
                    }

                    foreach (var caller in rows.SelectMany(r => r))
                    {
                        caller.Done.TrySetResult();
                    }
                }
                catch (Exception ex)
                {
                    foreach (var caller in rows.SelectMany(r => r))
                    {
                        caller.Done.TrySetException(ex);
                    }
                }
            });
        }
    }
}
