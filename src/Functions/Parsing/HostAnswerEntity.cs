using AbuseDesk.Domain.Cases;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Parsing;

/// <summary>
/// What DNS answered for one host of a report's URL-only events (PK = reportId, RK = "host:{host}"), written by the
/// first pass before anything is routed: the second pass and every redelivery route by this record, not by a new
/// lookup that may answer differently, and it stays as the evidence of where the events went and when.
/// </summary>
public sealed class HostAnswerEntity : Entity
{
    public const string RowPrefix = "host:";

    public string Host { get; set; } = "";

    /// <summary>The addresses, comma-separated (at most <see cref="HostAnswer.MaxAddresses"/>).</summary>
    public string Addresses { get; set; } = "";

    public DateTimeOffset ResolvedAt { get; set; }
    public string? Error { get; set; }

    public static HostAnswerEntity From(string reportId, HostAnswer answer) => new()
    {
        PartitionKey = reportId,
        RowKey = RowPrefix + answer.Host,
        Host = answer.Host,
        Addresses = string.Join(",", answer.Addresses),
        ResolvedAt = answer.ResolvedAt,
        Error = answer.Error,
    };

    public HostAnswer ToAnswer() =>
        new(Host, Addresses.Length == 0 ? [] : Addresses.Split(','), ResolvedAt, Error);
}
