using AbuseDesk.Domain.Notifications;
using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Feedback;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Storage;
using AbuseDesk.Functions.Telemetry;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using MimeKit;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Functions.Notifications;

/// <summary>
/// email-outbox: sends one stored mail, at the configured rate, retrying transient failures with backoff.
/// A mail already sent or failed is skipped, so duplicate messages send nothing. Before talking SMTP the sender
/// claims the mail (ETag-guarded), so two copies of the message running at once cannot both send it; the copy
/// that loses comes back after the claim and finds the mail sent. Waiting — for a token, a backoff or a claim —
/// puts the message back with a visibility delay and completes, so a busy queue never spins or poisons.
/// The Message-ID is fixed when the mail is rendered, so a resend after a crash between the SMTP hand-off and
/// the mark threads as the same mail in the customer's client.
/// Two lanes, one handler: email-outbox carries customer notices and ops messages, feedback-outbox reporter feedback.
/// A feedback mail takes only a token the notices leave (<see cref="MailRateLimiter.TryAcquireSpare"/>) and otherwise
/// goes back to its own queue with a delay, so however much feedback is owed it never stands between a customer
/// and a notice, and a notice queue never fills with feedback waiting its turn.
/// </summary>
public sealed class SendEmail(
    DeskStorage storage,
    SmtpMailer mailer,
    MailRateLimiter limiter,
    IOptions<AbuseDeskOptions> options,
    TimeProvider clock,
    ILogger<SendEmail> logger)
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string FailedHistory = "mail-failed";
    public const string Mailer = "mailer";

    /// <summary>The notice lane (email-outbox).</summary>
    public Task RunAsync(TriggerInput input, CancellationToken cancellationToken) => RunAsync(input, MailLane.Notice, cancellationToken);

    public async Task RunAsync(TriggerInput input, MailLane lane, CancellationToken cancellationToken)
    {
        var request = Json.Deserialize<EmailRequest>(input.Payload);
        var found = await storage.Cases.GetEntityIfExistsAsync<MailEntity>(request.CaseId, request.MailRow, cancellationToken: cancellationToken);
        if (!found.HasValue)
        {
            logger.LogWarning("Mail {MailRow} of case {CaseId} does not exist; nothing to send", request.MailRow, request.CaseId);
            return;
        }

        var mail = found.Value!;
        if (mail.Status is Sent or Failed)
        {
            return;
        }

        var email = options.Value.Email;
        var now = clock.GetUtcNow();
        // A backoff's own message surfaces about when it ends (queue delays are not exact): close enough is due.
        var waitFor = Later(mail.ClaimedUntil, now) ?? Later(mail.NextAttemptAt - TimeSpan.FromSeconds(2), now);
        if (waitFor is { } wait)
        {
            // Another sender holds it, or its backoff is not over: look again then.
            await RescheduleAsync(request, lane, wait + TimeSpan.FromSeconds(1), cancellationToken);
            return;
        }

        MimeMessage message;
        try
        {
            message = Compose(request, mail, now);
        }
        catch (Exception ex) when (SmtpFailure.IsPermanent(ex))
        {
            await FailAsync(request, mail, SmtpFailure.Describe(ex), "email:invalid-recipient", cancellationToken);
            return;
        }

        var tokenLater = lane == MailLane.Feedback ? limiter.TryAcquireSpare() : await limiter.TryAcquireAsync(cancellationToken);
        if (tokenLater is { } later)
        {
            logger.LogDebug("Rate limit: mail {MailRow} of {CaseId} ({Lane} lane) back in {Delay}", request.MailRow, request.CaseId, lane, later);
            await RescheduleAsync(request, lane, later, cancellationToken);
            return;
        }

        // Claim: from here until ClaimedUntil nobody else sends this mail. Attempts count SMTP conversations.
        mail.Attempts++;
        mail.ClaimedUntil = clock.GetUtcNow() + (2 * email.SendTimeout);
        mail.NextAttemptAt = null;
        try
        {
            var claimed = await storage.Cases.UpdateEntityAsync(mail, mail.ETag, TableUpdateMode.Replace, cancellationToken);
            mail.ETag = claimed.Headers.ETag ?? ETag.All;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // Another copy claimed or settled it in between; whatever it did, check back after its claim.
            await RescheduleAsync(request, lane, 2 * email.SendTimeout, cancellationToken);
            return;
        }

        try
        {
            await mailer.SendAsync(message, cancellationToken);
        }
        catch (Exception ex) when (SmtpFailure.IsMailFailure(ex) || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var reason = SmtpFailure.Describe(ex);
            if (SmtpFailure.IsPermanent(ex))
            {
                await FailAsync(request, mail, reason, "email:permanent-failure", cancellationToken);
            }
            else if (mail.Attempts >= email.MaxAttempts)
            {
                await FailAsync(request, mail, $"gave up after {mail.Attempts} attempts; last: {reason}", "email:max-attempts", cancellationToken);
            }
            else
            {
                await RetryLaterAsync(request, lane, mail, reason, cancellationToken);
            }

            return;
        }

        mail.Status = Sent;
        mail.SentAt = clock.GetUtcNow();
        mail.LastError = null;
        mail.ClaimedUntil = null;
        await storage.Cases.UpdateEntityAsync(mail, ETag.All, TableUpdateMode.Replace, cancellationToken);
        DeskMetrics.NotificationSent(mail.Kind);
        logger.LogInformation("Mail {MailRow} of case {CaseId} sent ({Kind})", request.MailRow, request.CaseId, mail.Kind);
    }

    /// <summary>
    /// The workflow's fast path, step 1: a new case mail is claimed for the process about to commit it, when a
    /// token is free now and the address is one SMTP could take. The claim is written with the mail, in the
    /// commit, so sending it right after costs no claim write of its own. False: the mail goes the queue's way.
    /// </summary>
    public bool ClaimForNow(MailEntity mail)
    {
        if (!Deliverable(mail.To, out _) || !limiter.TryAcquireNow())
        {
            return false;
        }

        mail.Attempts = 1;
        mail.ClaimedUntil = clock.GetUtcNow() + (2 * options.Value.Email.SendTimeout);
        return true;
    }

    /// <summary>
    /// Step 2, after the commit: sends the claimed mail with no queue message and no read. True when the relay took
    /// it; the caller then marks it sent together with its outbox row. False (the relay failed) leaves it to the
    /// email-outbox queue, whose copy should surface when the claim runs out (<see cref="MailEntity.ClaimedUntil"/>)
    /// and which then retries, backs off and gives up exactly as for any other mail.
    /// </summary>
    public async Task<bool> SendClaimedAsync(string partition, MailEntity mail, CancellationToken cancellationToken)
    {
        try
        {
            await mailer.SendAsync(Compose(new EmailRequest(partition, mail.RowKey), mail, clock.GetUtcNow()), cancellationToken);
        }
        catch (Exception ex) when (SmtpFailure.IsMailFailure(ex) || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            logger.LogWarning("Mail {MailRow} of case {CaseId} could not be sent right after its commit ({Reason}); the mail queue takes it over", mail.RowKey, partition, SmtpFailure.Describe(ex));
            return false;
        }

        mail.Status = Sent;
        mail.SentAt = clock.GetUtcNow();
        mail.ClaimedUntil = null;
        DeskMetrics.NotificationSent(mail.Kind);
        return true;
    }

    // MimeKit refuses what no SMTP server would take (e.g. "a..b@example.net"); that never gets better. The intake
    // rule is applied again here: an address stored before intake checked it must not reach a To header either.
    private static bool Deliverable(string address, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MailboxAddress? to)
    {
        to = null;
        return ContactAddress.Problem(address) is null
            && MailboxAddress.TryParse(address, out to) && !string.IsNullOrEmpty(to.Domain) && to.LocalPart.Length > 0;
    }

    private MimeMessage Compose(EmailRequest request, MailEntity mail, DateTimeOffset now)
    {
        var smtp = options.Value.Smtp;
        var from = MailboxAddress.Parse(smtp.From);
        var domain = from.Domain;
        if (!Deliverable(mail.To, out var to))
        {
            throw new InvalidRecipientException(mail.To);
        }

        var message = new MimeMessage
        {
            Subject = mail.Subject,
            MessageId = $"{mail.MessageId}@{domain}",
            Date = now,
            Body = new BodyBuilder { TextBody = mail.TextBody, HtmlBody = mail.HtmlBody }.ToMessageBody(),
        };
        message.From.Add(from);
        message.To.Add(to);
        message.ReplyTo.Add(MailboxAddress.Parse(smtp.ReplyTo));
        // Every mail of a case refers to the same thread root, so clients group them and replies carry the case.
        // A customer's digests (partition "customer|{id}") thread among themselves and name no single case; a
        // reporter's gathered feedback (partition "reporter|{id}") threads per reporter and names no case at all.
        var (threadRoot, header, value) = SendCustomerDigest.CustomerOf(request.CaseId) is { } customer
            ? ($"digest-{customer}@{domain}", "X-AbuseDesk-Customer", customer)
            : FeedbackBatchEntity.ReporterOf(request.CaseId) is { } reporter
                ? ($"reporter-{reporter}@{domain}", "X-AbuseDesk-Reporter", reporter)
                : ReportFeedbackEntity.ReportOf(request.CaseId) is { } report
                    ? ($"report-{report}@{domain}", "X-AbuseDesk-Report", report)
                    : ($"case-{request.CaseId}@{domain}", "X-AbuseDesk-Case", request.CaseId);
        message.InReplyTo = threadRoot;
        message.References.Add(threadRoot);
        message.Headers.Add(header, value);
        return message;
    }

    private async Task RetryLaterAsync(EmailRequest request, MailLane lane, MailEntity mail, string reason, CancellationToken cancellationToken)
    {
        var delay = SmtpFailure.Backoff(mail.Attempts, options.Value.Email.MaxBackoff, Random.Shared.NextDouble());
        mail.LastError = reason;
        mail.ClaimedUntil = null;
        mail.NextAttemptAt = clock.GetUtcNow() + delay;
        // The row first: if we die before re-enqueueing, the original message comes back and finds the backoff.
        await storage.Cases.UpdateEntityAsync(mail, mail.ETag, TableUpdateMode.Replace, cancellationToken);
        await RescheduleAsync(request, lane, delay, cancellationToken);
        logger.LogWarning("Mail {MailRow} of case {CaseId} failed (attempt {Attempts}); retrying in {Delay}: {Reason}",
            request.MailRow, request.CaseId, mail.Attempts, delay, reason);
    }

    /// <summary>
    /// Marks the mail failed and writes the case's history line in one transaction. The history row's key is
    /// derived from the mail's ("h|{sequence}|mail-failed"), so it sits next to the step that owed the mail and a
    /// repeat rewrites the same row instead of adding one.
    /// </summary>
    private async Task FailAsync(EmailRequest request, MailEntity mail, string reason, string rule, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        mail.Status = Failed;
        mail.LastError = reason;
        mail.FailedAt = now;
        mail.ClaimedUntil = null;
        mail.NextAttemptAt = null;
        var version = await storage.Cases.GetEntityIfExistsAsync<CaseEntity>(request.CaseId, CaseEntity.Row, select: ["Version"], cancellationToken: cancellationToken) is { HasValue: true } state
            ? state.Value!.Version
            : 0;
        var history = new HistoryEntity
        {
            PartitionKey = request.CaseId,
            RowKey = HistoryRowKey(request.MailRow),
            At = now,
            What = FailedHistory,
            Actor = Mailer,
            Rule = rule,
            Detail = $"{mail.Kind} mail to {mail.To} not delivered after {mail.Attempts} attempt(s): {reason}",
            Version = version,
        };
        await storage.Cases.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.UpdateReplace, mail, mail.ETag),
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, history),
            ], cancellationToken);
        DeskMetrics.NotificationFailed(mail.Kind);
        logger.LogError("Mail {MailRow} of case {CaseId} failed for good: {Reason}", request.MailRow, request.CaseId, reason);
    }

    public static string HistoryRowKey(string mailRow) =>
        $"{HistoryEntity.Prefix}{(mailRow.StartsWith(MailEntity.Prefix, StringComparison.Ordinal) ? mailRow[MailEntity.Prefix.Length..] : mailRow)}|{FailedHistory}";

    private async Task RescheduleAsync(EmailRequest request, MailLane lane, TimeSpan delay, CancellationToken cancellationToken) =>
        await storage.Queue(lane == MailLane.Feedback ? DeskStorage.FeedbackOutboxQueue : DeskStorage.EmailOutboxQueue).SendMessageAsync(
            Json.Serialize(request), visibilityTimeout: QueueDelay.For(delay), cancellationToken: cancellationToken);

    private static TimeSpan? Later(DateTimeOffset? until, DateTimeOffset now) => until is { } u && u > now ? u - now : null;
}
