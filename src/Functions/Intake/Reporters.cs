using System.Security.Cryptography;
using AbuseDesk.Functions.Storage;
using Azure;

namespace AbuseDesk.Functions.Intake;

/// <summary>Creates reporters and resolves a bearer key to its reporter.</summary>
/// <summary>Limits ops give one reporter; a null field leaves the desk's default (or, on a change, the current value).</summary>
public sealed record OwnLimits(int? ReportsPerMinute, long? BytesPerDay, long? EventsPerDay)
{
    /// <summary>What is wrong with these limits, naming the field, or null.</summary>
    public string? Problem() =>
        ReportsPerMinute is < 1 ? "'limits.reportsPerMinute' must be at least 1"
        : BytesPerDay is < 1024 ? "'limits.bytesPerDay' must be at least 1024"
        : EventsPerDay is < 1 ? "'limits.eventsPerDay' must be at least 1"
        : null;

    public bool IsEmpty => ReportsPerMinute is null && BytesPerDay is null && EventsPerDay is null;
}

public sealed class Reporters(DeskStorage storage, TimeProvider clock)
{
    public static string NewKey() => "rk_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    public async Task<(string ReporterId, string Key)> CreateAsync(string name, string? contactEmail, bool wantsFeedback, string? fixedKey, string? fixedId, CancellationToken cancellationToken, OwnLimits? limits = null)
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
            ReportsPerMinute = limits?.ReportsPerMinute,
            BytesPerDay = limits?.BytesPerDay,
            EventsPerDay = limits?.EventsPerDay,
        }, cancellationToken: cancellationToken);
        // The key row is written last: a key only works once its reporter exists.
        await storage.Reporters.UpsertEntityAsync(new ReporterKeyEntity { PartitionKey = ReporterKeyEntity.Partition, RowKey = hash, ReporterId = reporterId }, cancellationToken: cancellationToken);
        return (reporterId, key);
    }

    public async Task<List<ReporterEntity>> ListAsync(CancellationToken cancellationToken)
    {
        var reporters = new List<ReporterEntity>();
        await foreach (var row in storage.Reporters.QueryAsync<ReporterEntity>(r => r.PartitionKey == ReporterEntity.Partition, cancellationToken: cancellationToken))
        {
            reporters.Add(row);
        }

        return reporters;
    }

    public async Task<ReporterEntity?> FindAsync(string reporterId, CancellationToken cancellationToken)
    {
        if (reporterId.Length is 0 or > 64 || !reporterId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return null;
        }

        var row = await storage.Reporters.GetEntityIfExistsAsync<ReporterEntity>(ReporterEntity.Partition, reporterId, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>
    /// Revokes the reporter's key: the key row goes first, so the key stops working at once (authentication reads
    /// that row on every request, nothing caches it) even if marking the reporter fails; revoking again finishes it.
    /// </summary>
    public async Task<ReporterEntity?> RevokeAsync(string reporterId, string actor, string reason, CancellationToken cancellationToken)
    {
        var reporter = await FindAsync(reporterId, cancellationToken);
        if (reporter is null)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(reporter.KeyHash))
        {
            try
            {
                await storage.Reporters.DeleteEntityAsync(ReporterKeyEntity.Partition, reporter.KeyHash, ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Already gone: an earlier revoke got this far.
            }
        }

        if (!reporter.Revoked)
        {
            reporter.Revoked = true;
            reporter.RevokedAt = clock.GetUtcNow();
            reporter.RevokedBy = actor;
            reporter.RevokeReason = reason;
            // Merge only these fields: a concurrent feedback change must not undo a revocation, nor this undo it.
            await storage.Reporters.UpdateEntityAsync(new Azure.Data.Tables.TableEntity(ReporterEntity.Partition, reporterId)
            {
                [nameof(ReporterEntity.Revoked)] = true,
                [nameof(ReporterEntity.RevokedAt)] = reporter.RevokedAt,
                [nameof(ReporterEntity.RevokedBy)] = actor,
                [nameof(ReporterEntity.RevokeReason)] = reason,
            }, ETag.All, Azure.Data.Tables.TableUpdateMode.Merge, cancellationToken);
        }

        return reporter;
    }

    /// <summary>Changes the settings given (null: left as is); merges only those fields, so a concurrent revoke stands.</summary>
    public async Task<ReporterEntity?> UpdateAsync(string reporterId, bool? wantsFeedback, string? contactEmail, CancellationToken cancellationToken, OwnLimits? limits = null)
    {
        var reporter = await FindAsync(reporterId, cancellationToken);
        if (reporter is null)
        {
            return null;
        }

        var changes = new Azure.Data.Tables.TableEntity(ReporterEntity.Partition, reporterId);
        if (wantsFeedback is { } wants)
        {
            reporter.WantsFeedback = wants;
            changes[nameof(ReporterEntity.WantsFeedback)] = wants;
        }

        if (contactEmail is not null)
        {
            reporter.ContactEmail = contactEmail;
            changes[nameof(ReporterEntity.ContactEmail)] = contactEmail;
        }

        if (limits?.ReportsPerMinute is { } perMinute)
        {
            reporter.ReportsPerMinute = perMinute;
            changes[nameof(ReporterEntity.ReportsPerMinute)] = perMinute;
        }

        if (limits?.BytesPerDay is { } bytes)
        {
            reporter.BytesPerDay = bytes;
            changes[nameof(ReporterEntity.BytesPerDay)] = bytes;
        }

        if (limits?.EventsPerDay is { } events)
        {
            reporter.EventsPerDay = events;
            changes[nameof(ReporterEntity.EventsPerDay)] = events;
        }

        await storage.Reporters.UpdateEntityAsync(changes, ETag.All, Azure.Data.Tables.TableUpdateMode.Merge, cancellationToken);
        return reporter;
    }

    /// <summary>Sets the reporter's mail senders (normalized, checked by the caller) and the rows a mail is matched by.</summary>
    public async Task<ReporterEntity?> SetMailSendersAsync(string reporterId, IReadOnlyList<string> senders, MailSenders index, CancellationToken cancellationToken)
    {
        var reporter = await FindAsync(reporterId, cancellationToken);
        if (reporter is null)
        {
            return null;
        }

        // The index first: a crash before the list is written leaves a sender that maps here and a retry that adds it.
        await index.IndexAsync(reporterId, reporter.MailSenderList(), senders, cancellationToken);
        reporter.MailSenders = string.Join('\n', senders);
        await storage.Reporters.UpdateEntityAsync(new Azure.Data.Tables.TableEntity(ReporterEntity.Partition, reporterId)
        {
            [nameof(ReporterEntity.MailSenders)] = reporter.MailSenders,
        }, ETag.All, Azure.Data.Tables.TableUpdateMode.Merge, cancellationToken);
        return reporter;
    }

    /// <summary>Whether a key row exists for this hash: revocation deletes it first, so its absence means revoked.</summary>
    public async Task<bool> KeyExistsAsync(string keyHash, CancellationToken cancellationToken) =>
        (await storage.Reporters.GetEntityIfExistsAsync<ReporterKeyEntity>(ReporterKeyEntity.Partition, keyHash, select: ["ReporterId"], cancellationToken: cancellationToken)).HasValue;

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
