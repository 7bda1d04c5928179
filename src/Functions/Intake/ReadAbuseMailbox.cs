using System.Net.Sockets;
using Azure.Identity;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AbuseDesk.Functions.Intake;

/// <summary>What one read of the mailbox did: messages stored as reports, refused, left for a later run, and still waiting.</summary>
public sealed record MailboxRun(bool Configured, bool Succeeded, int Stored, int Refused, int Deferred, int Backlog, string? Error = null, int Replies = 0)
{
    public static MailboxRun NotConfigured { get; } = new(false, true, 0, 0, 0, 0);
}

/// <summary>
/// Reads the abuse mailbox over IMAP, oldest first, a batch per run: each message's raw bytes become a report of
/// the reporter its sender is (<see cref="MailSenders"/>, after <see cref="SenderAuthentication"/>), and only once
/// the report is stored is the message moved to the stored folder. A crash in between reads it again, and the
/// report, content-addressed per reporter, is the same one: no second report. A message the desk will not take
/// (over the report size, over its sender's daily limits) is moved to the refused folder and listed for ops.
/// A reply to a case from one of its parties (<see cref="Cases.CaseMailReplies"/>) joins that case's conversation
/// instead, and is moved to the stored folder the same way.
/// A mailbox that cannot be reached is recorded (<see cref="MailboxState"/>), logged as an error when it starts
/// failing and then hourly, and tried again at the next run: never a crash loop.
/// </summary>
public sealed class ReadAbuseMailbox(
    IOptions<AbuseDeskOptions> options,
    SenderAuthentication authentication,
    MailSenders senders,
    Reporters reporters,
    ReporterQuota quota,
    AcceptReport accept,
    Cases.CaseMailReplies replies,
    MailboxState state,
    ILogger<ReadAbuseMailbox> logger)
{
    private const string RawMailType = "message/rfc822";

    // Mail the desk cannot take in: connection, protocol, TLS, authentication and timeouts; anything else is a bug.
    private static bool IsMailboxFailure(Exception ex) =>
        ex is IOException or SocketException or ImapProtocolException or ImapCommandException or MailKit.Security.AuthenticationException
            or System.Security.Authentication.AuthenticationException or SslHandshakeException or ServiceNotConnectedException
            or ServiceNotAuthenticatedException or FolderNotFoundException or TimeoutException or AuthenticationFailedException;

    public async Task<MailboxRun> RunAsync(DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var mailbox = options.Value.Mailbox;
        if (!mailbox.Configured)
        {
            return MailboxRun.NotConfigured;
        }

        try
        {
            using var client = await MailboxSignIn.ConnectAsync(mailbox, options.Value.Storage.ClientId, cancellationToken);
            var run = await ReadAsync(client, mailbox, durable, cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
            await state.SucceededAsync(run.Stored, run.Refused, run.Backlog, cancellationToken);
            if (run.Stored + run.Refused + run.Deferred > 0)
            {
                logger.LogInformation("Abuse mailbox: {Stored} stored ({Replies} of them replies to cases), {Refused} refused, {Deferred} left for the next run, {Backlog} waiting",
                    run.Stored, run.Replies, run.Refused, run.Deferred, run.Backlog);
            }

            return run;
        }
        catch (Exception ex) when (IsMailboxFailure(ex) || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var reason = $"{ex.GetType().Name}: {ex.Message}";
            var (status, alert) = await state.FailedAsync(reason, cancellationToken);
            // An alert when it starts failing and hourly while it stays down; warnings in between, without stacks.
            if (alert)
            {
                logger.LogError("Abuse mailbox {Host}:{Port} cannot be read since {Since:O}: {Reason}; tried again at the next run", mailbox.Host, mailbox.Port, status.FailingSince, reason);
            }
            else
            {
                logger.LogWarning("Abuse mailbox {Host}:{Port} still cannot be read ({Failures} runs): {Reason}", mailbox.Host, mailbox.Port, status.ConsecutiveFailures, reason);
            }

            return new MailboxRun(true, false, 0, 0, 0, status.Backlog, reason);
        }
    }

    private async Task<MailboxRun> ReadAsync(ImapClient client, MailboxOptions mailbox, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var inbox = await client.GetFolderAsync(mailbox.Folder, cancellationToken);
        await inbox.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
        var stored = await FolderAsync(client, mailbox.StoredFolder, cancellationToken);
        var refused = await FolderAsync(client, mailbox.RefusedFolder, cancellationToken);

        var waiting = await inbox.SearchAsync(SearchQuery.All, cancellationToken);
        var batch = waiting.Take(mailbox.BatchSize).ToList();
        var summaries = batch.Count == 0 ? [] : await inbox.FetchAsync(batch, new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Size | MessageSummaryItems.Envelope), cancellationToken);
        int storedCount = 0, refusedCount = 0, deferred = 0, replyCount = 0;
        foreach (var summary in summaries.OrderBy(s => s.UniqueId.Id))
        {
            switch (await TakeAsync(inbox, summary, mailbox, durable, cancellationToken))
            {
                case Taken.Reply:
                    await inbox.MoveToAsync(summary.UniqueId, stored, cancellationToken);
                    storedCount++;
                    replyCount++;
                    break;
                case Taken.Stored:
                    await inbox.MoveToAsync(summary.UniqueId, stored, cancellationToken);
                    storedCount++;
                    break;
                case Taken.Refused:
                    await inbox.MoveToAsync(summary.UniqueId, refused, cancellationToken);
                    refusedCount++;
                    break;
                default:
                    deferred++;
                    break;
            }
        }

        return new MailboxRun(true, true, storedCount, refusedCount, deferred, waiting.Count - storedCount - refusedCount, Replies: replyCount);
    }

    private enum Taken
    {
        Stored,
        Reply,
        Refused,
        Deferred,
    }

    private async Task<Taken> TakeAsync(IMailFolder inbox, IMessageSummary summary, MailboxOptions mailbox, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var maxBytes = options.Value.Intake.MaxReportBytes;
        if (summary.Size is { } size && size > maxBytes)
        {
            await RefuseAsync(summary, $"{size} bytes, over the {maxBytes}-byte report limit", mailbox, cancellationToken);
            return Taken.Refused;
        }

        using var raw = new MemoryStream();
        await using (var stream = await inbox.GetStreamAsync(summary.UniqueId, string.Empty, cancellationToken))
        {
            // The server's size may be missing or wrong: the copy is bounded all the same.
            var buffer = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (raw.Length + read > maxBytes)
                {
                    await RefuseAsync(summary, $"over the {maxBytes}-byte report limit", mailbox, cancellationToken);
                    return Taken.Refused;
                }

                raw.Write(buffer, 0, read);
            }
        }

        // Parsed once, for the sender's verdict and for the reply check; persistent: the body stays in the buffer.
        raw.Position = 0;
        using var message = await ParseAsync(raw, cancellationToken);
        var verdict = await authentication.VerifyAsync(message, mailbox.TrustedAuthServIds, cancellationToken);
        var sender = await senders.ResolveAsync(verdict, cancellationToken);
        var content = raw.GetBuffer().AsMemory(0, (int)raw.Length);
        var origin = new MailOrigin(verdict.FromAddress, verdict.Authenticated, sender.Why);
        // Read before and not taken in yet (a crash after storing): the same report, nothing charged twice.
        if (await accept.KnownAsync(sender.ReporterId, content, cancellationToken) is not null)
        {
            return Taken.Stored;
        }

        var limits = quota.LimitsOf(await reporters.FindAsync(sender.ReporterId, cancellationToken));
        if (await quota.AdmitAsync(sender.ReporterId, limits, content.Length, cancellationToken) is { } refusal)
        {
            // A busy minute passes: the message waits in the inbox for the next run. A spent day does not.
            if (refusal.RetryAfter <= TimeSpan.FromMinutes(2))
            {
                return Taken.Deferred;
            }

            await RefuseAsync(summary, $"{sender.ReporterId}: {refusal.Detail}", mailbox, cancellationToken);
            return Taken.Refused;
        }

        // A reply to a case counts against its sender's limits like a report: a forged From cannot flood a conversation.
        switch (message is null ? null : await ReplyAsync(message, verdict, sender, content, durable, cancellationToken))
        {
            case { Taken: true } reply:
                logger.LogInformation("Abuse mailbox message {Uid} is a reply to case {CaseId}", summary.UniqueId.Id, reply.CaseId);
                return Taken.Reply;
            case { } waiting:
                logger.LogWarning("Abuse mailbox message {Uid}, a reply to case {CaseId}, waits in the inbox until the case takes it", summary.UniqueId.Id, waiting.CaseId);
                return Taken.Deferred;
        }

        var report = await accept.AcceptAsync(sender.ReporterId, content, RawMailType, null, null, cancellationToken, origin);
        logger.LogInformation("Abuse mailbox message {Uid} stored as report {ReportId} of {ReporterId} ({Why})", summary.UniqueId.Id, report.ReportId, sender.ReporterId, sender.Why);
        return Taken.Stored;
    }

    /// <summary>
    /// The case this mail answers and whether the case took it; null for a mail that answers no case. A failure on the
    /// way (the engine or storage unreachable) leaves the message waiting for the next run, never the mailbox stuck.
    /// </summary>
    private async Task<Cases.ReplyTaken?> ReplyAsync(MimeMessage message, SenderVerdict verdict, MailSender sender, ReadOnlyMemory<byte> content, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        try
        {
            return await replies.TakeAsync(message, verdict, sender.Known ? sender.ReporterId : null, content, durable, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Abuse mailbox: whether a message answers a case could not be decided; it waits for the next run");
            return new Cases.ReplyTaken("", false);
        }
    }

    /// <summary>The message, or null for bytes MimeKit cannot make a message of (the report path says why later).</summary>
    private static async Task<MimeMessage?> ParseAsync(MemoryStream raw, CancellationToken cancellationToken)
    {
        try
        {
            return await MimeMessage.LoadAsync(raw, persistent: true, cancellationToken);
        }
        catch (FormatException)
        {
            return null;
        }
        finally
        {
            raw.Position = 0;
        }
    }

    private async Task RefuseAsync(IMessageSummary summary, string reason, MailboxOptions mailbox, CancellationToken cancellationToken)
    {
        await state.RefusedAsync(new MailboxRefusalEntity
        {
            From = Bound(summary.Envelope?.From?.Mailboxes.FirstOrDefault()?.Address, 320),
            Subject = Bound(summary.Envelope?.Subject, 500),
            MessageId = Bound(summary.Envelope?.MessageId, 500),
            Size = summary.Size ?? 0,
            Reason = reason,
            Folder = mailbox.RefusedFolder,
        }, cancellationToken);
        logger.LogWarning("Abuse mailbox message {Uid} refused and moved to {Folder}: {Reason}", summary.UniqueId.Id, mailbox.RefusedFolder, reason);
    }

    /// <summary>The folder at this path ("AbuseDesk/Stored"), made if missing, whatever the server's hierarchy separator.</summary>
    private static async Task<IMailFolder> FolderAsync(ImapClient client, string path, CancellationToken cancellationToken)
    {
        var folder = client.GetFolder(client.PersonalNamespaces[0]);
        foreach (var name in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                folder = await folder.GetSubfolderAsync(name, cancellationToken);
            }
            catch (FolderNotFoundException)
            {
                folder = await folder.CreateAsync(name, true, cancellationToken)
                    ?? throw new FolderNotFoundException(path);
            }
        }

        return folder;
    }

    private static string? Bound(string? text, int max) => text is null ? null : text.Length <= max ? text : text[..max];
}
