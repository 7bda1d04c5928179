using Azure;
using Azure.Data.Tables;

namespace AbuseDesk.Functions.Storage;

/// <summary>The four properties every table row carries.</summary>
public abstract class Entity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }
}
