using System.Diagnostics;
using AbuseDesk.Benchmarks.EndToEnd;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace AbuseDesk.Benchmarks.Workflow;

/// <summary>
/// What each storage operation costs on this Azurite, at the concurrency the app uses (24): point read, replace,
/// a 6-entity transaction, a queue send, and receive+delete. The case workflow's cost is a sum of these.
/// </summary>
public static class AzuriteProbe
{
    public static async Task<int> RunAsync(string[] args)
    {
        var connection = LoadRun.StringArg(args, "--storage", "");
        var n = LoadRun.IntArg(args, "--ops", 2000);
        var prefill = LoadRun.IntArg(args, "--prefill", 0);
        var standing = LoadRun.IntArg(args, "--standing", 0);
        // "shared": every partition's rows have the same RowKeys as the others' ("case", "h|000001"…); "unique": keyed by partition too.
        var shared = LoadRun.StringArg(args, "--row-keys", "shared") == "shared";
        string StateRow(string partition) => shared ? "case" : $"case|{partition}";
        string HistoryRow(string partition, int r) => shared ? $"h|{r:D6}" : $"h|{r:D6}|{partition}";
        var table = new TableClient(connection, "probe" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateAsync();
        var queue = new QueueClient(connection, "probe-" + Guid.NewGuid().ToString("N")[..8]);
        await queue.CreateAsync();
        var options = new ParallelOptions { MaxDegreeOfParallelism = 24 };

        if (prefill > 0)
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, prefill / 10), options, async (i, ct) =>
                await table.SubmitTransactionAsync(Enumerable.Range(0, 10).Select(r => new TableTransactionAction(TableTransactionActionType.Add,
                    new TableEntity($"fill-{i}", r == 0 ? StateRow($"fill-{i}") : HistoryRow($"fill-{i}", r)) { ["Body"] = new string('x', 200) })), ct));
        }

        if (standing > 0)
        {
            // Armed timers: delayed messages in another queue, which Azurite still walks on every queue call.
            var timers = new QueueClient(connection, "probe-timers-" + Guid.NewGuid().ToString("N")[..8]);
            await timers.CreateAsync();
            await Parallel.ForEachAsync(Enumerable.Range(0, standing), options, async (i, ct) =>
                await timers.SendMessageAsync($"timer {i}", visibilityTimeout: TimeSpan.FromHours(1), cancellationToken: ct));
        }

        Console.WriteLine($"azurite: {prefill:N0} entities ({(shared ? "state rows share one RowKey" : "unique RowKeys")}) and {standing:N0} delayed messages stored beforehand; {n:N0} operations, 24 at a time");

        async Task Time(string what, Func<int, CancellationToken, ValueTask> op)
        {
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, n), options, async (i, ct) => await op(i, ct));
            Console.WriteLine($"azurite: {what,-34} {n / clock.Elapsed.TotalSeconds,8:N0}/s");
        }

        await Time("add (single entity)", async (i, ct) => await table.AddEntityAsync(new TableEntity($"p{i}", StateRow($"p{i}")) { ["Body"] = new string('x', 200) }, ct));
        await Time("point read", async (i, ct) => await table.GetEntityAsync<TableEntity>($"p{i}", StateRow($"p{i}"), cancellationToken: ct));
        await Time("replace (ETag *)", async (i, ct) => await table.UpdateEntityAsync(new TableEntity($"p{i}", StateRow($"p{i}")) { ["Body"] = "y" }, Azure.ETag.All, TableUpdateMode.Replace, ct));
        await Time("transaction of 6 entities", async (i, ct) => await table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity($"p{i}", StateRow($"p{i}")) { ["Body"] = "z" }, Azure.ETag.All),
                .. Enumerable.Range(1, 5).Select(r => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity($"p{i}", HistoryRow($"p{i}", r)) { ["Body"] = new string('x', 200) })),
            ], ct));
        await Time("queue send", async (i, ct) => await queue.SendMessageAsync($"message {i}", ct));
        await Time("queue receive 16 + delete (per msg)", async (i, ct) =>
        {
            if (i % 16 != 0)
            {
                return;
            }

            foreach (var m in (await queue.ReceiveMessagesAsync(16, TimeSpan.FromSeconds(30), ct)).Value)
            {
                await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct);
            }
        });
        await table.DeleteAsync();
        await queue.DeleteAsync();
        return 0;
    }
}
