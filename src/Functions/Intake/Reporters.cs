using System.Security.Cryptography;
using AbuseDesk.Functions.Storage;
using Azure;

namespace AbuseDesk.Functions.Intake;

/// <summary>Creates reporters and resolves a bearer key to its reporter.</summary>
public sealed class Reporters(DeskStorage storage, TimeProvider clock)
{
    public static string NewKey() => "rk_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    public async Task<(string ReporterId, string Key)> CreateAsync(string name, string? contactEmail, bool wantsFeedback, string? fixedKey, string? fixedId, CancellationToken cancellationToken)
    {
        var key = fixedKey ?? NewKey();
        var reporterId = fixedId ?? "rep-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var hash = ReporterKeyEntity.Hash(key);
        await storage.Reporters.UpsertEntityAsync(new ReporterEntity
        {
            PartitionKey = ReporterEntity.Partition,
            RowKey = reporterId,
            Name = name,
            ContactEmail = contactEmail,
            WantsFeedback = wantsFeedback,
            KeyHash = hash,
            CreatedAt = clock.GetUtcNow(),
        }, cancellationToken: cancellationToken);
        // The key row is written last: a key only works once its reporter exists.
        await storage.Reporters.UpsertEntityAsync(new ReporterKeyEntity { PartitionKey = ReporterKeyEntity.Partition, RowKey = hash, ReporterId = reporterId }, cancellationToken: cancellationToken);
        return (reporterId, key);
    }

    /// <summary>The reporter id for an <c>Authorization: Bearer</c> header, or null.</summary>
    public async Task<string?> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var key = header["Bearer ".Length..].Trim();
        if (key.Length is 0 or > 256)
        {
            return null;
        }

        try
        {
            var row = await storage.Reporters.GetEntityAsync<ReporterKeyEntity>(ReporterKeyEntity.Partition, ReporterKeyEntity.Hash(key), cancellationToken: cancellationToken);
            return row.Value.ReporterId;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
