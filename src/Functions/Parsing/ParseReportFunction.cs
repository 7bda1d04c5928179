using Microsoft.DurableTask.Client;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Storage;
using AbuseDesk.Functions.Telemetry;
using Azure.Storage.Queues.Models;

namespace AbuseDesk.Functions.Parsing;

/// <summary>reports-parse → <see cref="ParseReport"/>.</summary>
public sealed class ParseReportFunction(ParseReport handler, ILogger<ParseReportFunction> logger)
{
    [Function(nameof(ParseReport))]
    public Task RunAsync([QueueTrigger(DeskStorage.ReportsParseQueue)] QueueMessage message, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken) =>
        DeskInvocation.RunAsync(nameof(ParseReport), message.Body.ToString(), logger, () => handler.RunAsync(TriggerInput.From(message), durable, cancellationToken));
}
