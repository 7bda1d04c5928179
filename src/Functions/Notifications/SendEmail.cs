using AbuseDesk.Functions.Cases;
using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Storage;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AbuseDesk.Functions.Notifications;

/// <summary>
/// email-outbox: sends one stored mail. A mail already marked sent is skipped, so duplicate messages send
/// nothing; the Message-ID is fixed when the mail is rendered, so even a resend after a crash between the
/// SMTP hand-off and the mark threads as the same mail in the customer's client.
/// </summary>
public sealed class SendEmail(DeskStorage storage, SmtpMailer mailer, IOptions<AbuseDeskOptions> options, TimeProvider clock, ILogger<SendEmail> logger) : ITriggeredFunction
{
    public string Name => "SendEmail";

    public async Task RunAsync(TriggerInput input, CancellationToken cancellationToken)
    {
        var request = Json.Deserialize<EmailRequest>(input.Payload);
        var mail = (await storage.Cases.GetEntityAsync<MailEntity>(request.CaseId, request.MailRow, cancellationToken: cancellationToken)).Value;
        if (mail.Status == "sent")
        {
            return;
        }

        var smtp = options.Value.Smtp;
        var from = MailboxAddress.Parse(smtp.From);
        var domain = from.Domain;
        var message = new MimeMessage
        {
            Subject = mail.Subject,
            MessageId = $"{mail.MessageId}@{domain}",
            Date = clock.GetUtcNow(),
            Body = new BodyBuilder { TextBody = mail.TextBody, HtmlBody = mail.HtmlBody }.ToMessageBody(),
        };
        message.From.Add(from);
        message.To.Add(MailboxAddress.Parse(mail.To));
        message.ReplyTo.Add(MailboxAddress.Parse(smtp.ReplyTo));
        // Every mail of a case refers to the same thread root, so clients group them and replies carry the case.
        var threadRoot = $"case-{request.CaseId}@{domain}";
        message.InReplyTo = threadRoot;
        message.References.Add(threadRoot);
        message.Headers.Add("X-AbuseDesk-Case", request.CaseId);

        mail.Attempts++;
        try
        {
            await mailer.SendAsync(message, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            mail.LastError = $"{ex.GetType().Name}: {ex.Message}";
            await storage.Cases.UpdateEntityAsync(mail, mail.ETag, TableUpdateMode.Replace, cancellationToken);
            throw;
        }

        mail.Status = "sent";
        mail.SentAt = clock.GetUtcNow();
        mail.LastError = null;
        await storage.Cases.UpdateEntityAsync(mail, Azure.ETag.All, TableUpdateMode.Replace, cancellationToken);
        logger.LogInformation("Mail {MailRow} of case {CaseId} sent ({Kind})", request.MailRow, request.CaseId, mail.Kind);
    }
}
