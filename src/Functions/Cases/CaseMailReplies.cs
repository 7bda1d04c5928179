using System.Security.Cryptography;
using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Notifications;
using AbuseDesk.Functions.Intake;
using AbuseDesk.Functions.Storage;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AbuseDesk.Functions.Cases;

/// <summary>
/// Mail in the abuse mailbox that answers a case rather than reporting abuse: a reply that names a case (our
/// Message-IDs in its references, or the case tag in its subject) from one of that case's parties, the customer's
/// abuse contact or a reporter the customer's words were relayed to. It joins the case's conversation instead of
/// becoming a report. Anything else, including a stranger quoting a case tag, is left to be a report as before.
/// </summary>
public sealed class CaseMailReplies(
    DeskStorage storage,
    CaseReporters reporters,
    Ownership.CustomerContacts contacts,
    CaseInbox inbox,
    IOptions<AbuseDeskOptions> options,
    ILogger<CaseMailReplies> logger)
{
    /// <summary>The longest reply kept, as long as a message written on the case page.</summary>
    public const int MaxText = 4000;

    /// <summary>The case the mail was taken into as a reply, or null when it is not one (it becomes a report).</summary>
    /// <param name="reporterId">The reporter the mailbox recognised the sender as, if any (authenticated mailSenders).</param>
    public async Task<string?> TakeAsync(MimeMessage message, SenderVerdict verdict, string? reporterId, ReadOnlyMemory<byte> raw, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        // Out-of-office answers and bounces are machines talking: they tell the customer nothing they wrote.
        if (verdict.FromAddress is not { } from || IsAutomatic(message))
        {
            return null;
        }

        var ourDomain = MailboxAddress.Parse(options.Value.Smtp.From).Domain;
        var caseId = ReplyMail.CaseIdIn(message.Subject, [message.InReplyTo, .. message.References], ourDomain);
        if (caseId is null || await CaseEntity.LoadAsync(storage.Cases, caseId, cancellationToken) is not { } row)
        {
            return null;
        }

        var party = await PartyAsync(row, from, reporterId, cancellationToken);
        if (party is null)
        {
            logger.LogInformation("Mail naming case {CaseId} is not from one of its parties: taken in as a report", caseId);
            return null;
        }

        var text = ReplyMail.OwnWords(message.TextBody ?? HtmlText(message.HtmlBody), MaxText);
        var (who, replyReporter) = party.Value;
        var input = new MailReply(who, text, verdict.Authenticated, replyReporter);
        // The raw bytes name the request: the same mail read again (a crash before it was moved) is the same reply.
        var requestId = $"mail-{Convert.ToHexStringLower(SHA256.HashData(raw.Span), 0, 16)}";
        if (await inbox.RaiseAsync(durable, row, input, requestId, cancellationToken) is { } refused)
        {
            logger.LogInformation("Mail reply to case {CaseId} from its {Party} not taken ({Reason}): taken in as a report", caseId, who, refused);
            return null;
        }

        logger.LogInformation("Mail reply to case {CaseId} from its {Party} joins the conversation ({Verified})", caseId, who, verdict.Authenticated ? "sender verified" : "sender not verified");
        return caseId;
    }

    private async Task<(ReplyParty Party, string? ReporterId)?> PartyAsync(CaseEntity row, string from, string? reporterId, CancellationToken cancellationToken)
    {
        var confirmed = await contacts.ConfirmedAsync(row.CustomerId, cancellationToken);
        if (Same(from, row.ContactEmail) || (confirmed is not null && Same(from, confirmed)))
        {
            return (ReplyParty.Customer, null);
        }

        // A reporter answers what was relayed to it: only those the case's messages can go to are parties.
        var reach = await reporters.ReachAsync(row.PartitionKey, cancellationToken);
        var reporter = reach.Writable.FirstOrDefault(r => Same(from, r.Address) || r.ReporterId == reporterId);
        return reporter is null ? null : (ReplyParty.Reporter, reporter.ReporterId);
    }

    private static bool Same(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    private static bool IsAutomatic(MimeMessage message)
    {
        var auto = message.Headers[HeaderId.AutoSubmitted];
        return (!string.IsNullOrEmpty(auto) && !auto.Trim().Equals("no", StringComparison.OrdinalIgnoreCase))
            || message.Headers.Contains("X-Autoreply") || message.Headers.Contains("X-Autorespond")
            || message.Body is MultipartReport;
    }

    /// <summary>
    /// The text of an HTML-only reply: data between tags, a line break at each block, and nothing inside a quote,
    /// style, script or head. Bounded before reading: the words that matter come first.
    /// </summary>
    private static string? HtmlText(string? html)
    {
        if (string.IsNullOrEmpty(html))
        {
            return null;
        }

        var text = new System.Text.StringBuilder();
        var skipping = 0;
        using var reader = new StringReader(html.Length > MaxText * 8 ? html[..(MaxText * 8)] : html);
        var tokenizer = new MimeKit.Text.HtmlTokenizer(reader);
        while (tokenizer.ReadNextToken(out var token))
        {
            switch (token)
            {
                case MimeKit.Text.HtmlTagToken tag when tag.Id is MimeKit.Text.HtmlTagId.BlockQuote or MimeKit.Text.HtmlTagId.Style or MimeKit.Text.HtmlTagId.Script or MimeKit.Text.HtmlTagId.Head:
                    skipping = Math.Max(0, skipping + (tag.IsEndTag ? -1 : tag.IsEmptyElement ? 0 : 1));
                    break;
                case MimeKit.Text.HtmlTagToken tag when tag.Id is MimeKit.Text.HtmlTagId.Br or MimeKit.Text.HtmlTagId.P or MimeKit.Text.HtmlTagId.Div or MimeKit.Text.HtmlTagId.LI or MimeKit.Text.HtmlTagId.TR:
                    text.Append('\n');
                    break;
                case MimeKit.Text.HtmlDataToken data when skipping == 0:
                    text.Append(data.Data);
                    break;
            }
        }

        return text.ToString();
    }
}
