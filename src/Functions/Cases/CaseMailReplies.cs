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

    // The desk's own domain, from its From address: only Message-IDs of this domain are ours.
    private readonly string _ourDomain = MailboxAddress.Parse(options.Value.Smtp.From).Domain;

    /// <summary>How long the mailbox waits for the case to take a reply before leaving the message for the next run.</summary>
    public static readonly TimeSpan TakeWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether the mail answers a case (null: it does not, and becomes a report) and, if so, whether the case has taken
    /// it: only then may the message leave the inbox. A reply the case has not answered yet (its orchestration failed
    /// and waits for ops, or is slow) stays, and is raised again next run under the same request id: taken once.
    /// </summary>
    /// <param name="reporterId">The reporter the mailbox recognised the sender as, if any (authenticated mailSenders).</param>
    public async Task<ReplyTaken?> TakeAsync(MimeMessage message, SenderVerdict verdict, string? reporterId, ReadOnlyMemory<byte> raw, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        // Out-of-office answers, bounces and ticket systems' receipts are machines talking: they tell nobody anything.
        if (verdict.FromAddress is not { } from || IsAutomatic(message))
        {
            return null;
        }

        var caseId = ReplyMail.CaseIdIn(message.Subject, [message.InReplyTo, .. message.References], _ourDomain);
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

        var (who, reporter) = party.Value;
        var body = message.TextBody ?? HtmlText(message.HtmlBody);
        if (reporter is not null)
        {
            // The reporter's address stays with the desk even when a signature or a quote header carries it.
            body = body?.Replace(from, "[address removed]", StringComparison.OrdinalIgnoreCase).Replace(reporter.Address, "[address removed]", StringComparison.OrdinalIgnoreCase);
        }

        var text = ReplyMail.OwnWords(body, MaxText);
        var input = new MailReply(who, text, verdict.Authenticated, reporter?.ReporterId);
        // One reply is one request: its Message-ID and sender name it (the same mail reached us twice, by two routes,
        // or was read again after a crash); without a Message-ID, its bytes do.
        var identity = string.IsNullOrEmpty(message.MessageId) ? Convert.ToHexString(SHA256.HashData(raw.Span)) : $"{caseId}|{message.MessageId}|{from.ToLowerInvariant()}";
        var requestId = $"mail-{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(identity)), 0, 16)}";
        if (await inbox.RaiseAsync(durable, row, input, requestId, cancellationToken) is { } refused)
        {
            logger.LogInformation("Mail reply to case {CaseId} from its {Party} not taken ({Reason}): taken in as a report", caseId, who, refused.Reason);
            return null;
        }

        var answered = await inbox.AnsweredAsync(caseId, requestId, TakeWait, cancellationToken);
        logger.LogInformation("Mail reply to case {CaseId} from its {Party} ({Verified}): {Outcome}", caseId, who,
            verdict.Authenticated ? "sender verified" : "sender not verified", answered ? "in the conversation" : "not taken yet, left for the next run");
        return new ReplyTaken(caseId, answered);
    }

    private async Task<(ReplyParty Party, ReporterContact? Reporter)?> PartyAsync(CaseEntity row, string from, string? reporterId, CancellationToken cancellationToken)
    {
        var confirmed = await contacts.ConfirmedAsync(row.CustomerId, cancellationToken);
        if (Same(from, row.ContactEmail) || (confirmed is not null && Same(from, confirmed)))
        {
            return (ReplyParty.Customer, null);
        }

        // A reporter answers what was relayed to it: only a reporter the customer's words went to is a party.
        var relayedTo = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var end = KeyRange.After(MailEntity.Prefix);
        await foreach (var mail in storage.Cases.QueryAsync<MailEntity>(
            m => m.PartitionKey == row.PartitionKey && m.RowKey.CompareTo(MailEntity.Prefix) >= 0 && m.RowKey.CompareTo(end) < 0 && m.Kind == CaseReporters.RelayKind,
            select: [nameof(MailEntity.To)], cancellationToken: cancellationToken))
        {
            relayedTo.Add(mail.To.Trim());
        }

        if (relayedTo.Count == 0)
        {
            return null;
        }

        var reach = await reporters.ReachAsync(row.PartitionKey, cancellationToken);
        var reporter = reach.Writable.FirstOrDefault(r => relayedTo.Contains(r.Address.Trim()) && (Same(from, r.Address) || r.ReporterId == reporterId));
        return reporter is null ? null : (ReplyParty.Reporter, reporter);
    }

    private static bool Same(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    private static bool IsAutomatic(MimeMessage message)
    {
        var auto = message.Headers[HeaderId.AutoSubmitted];
        var precedence = message.Headers[HeaderId.Precedence]?.Trim();
        return (!string.IsNullOrEmpty(auto) && !auto.Trim().Equals("no", StringComparison.OrdinalIgnoreCase))
            || message.Headers.Contains("X-Autoreply") || message.Headers.Contains("X-Autorespond")
            || precedence is not null && (precedence.Equals("bulk", StringComparison.OrdinalIgnoreCase) || precedence.Equals("junk", StringComparison.OrdinalIgnoreCase)
                || precedence.Equals("auto_reply", StringComparison.OrdinalIgnoreCase) || precedence.Equals("list", StringComparison.OrdinalIgnoreCase))
            // A null reverse path is a bounce's.
            || message.Headers[HeaderId.ReturnPath]?.Trim() == "<>"
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
                case MimeKit.Text.HtmlTagToken tag when !tag.IsEndTag && IsQuoteStart(tag):
                    // Where the mail program starts quoting (Outlook's rule and reply header, Gmail's quote): the rest is not theirs.
                    return text.ToString();
                case MimeKit.Text.HtmlTagToken tag when tag.Id is MimeKit.Text.HtmlTagId.BlockQuote or MimeKit.Text.HtmlTagId.Style or MimeKit.Text.HtmlTagId.Script or MimeKit.Text.HtmlTagId.Head:
                    skipping = Math.Max(0, skipping + (tag.IsEndTag ? -1 : tag.IsEmptyElement ? 0 : 1));
                    break;
                // A line break where a block starts (not again where it ends: two blocks are two lines, not a paragraph).
                case MimeKit.Text.HtmlTagToken tag when tag.Id is MimeKit.Text.HtmlTagId.Br || (!tag.IsEndTag && tag.Id is MimeKit.Text.HtmlTagId.P or MimeKit.Text.HtmlTagId.Div or MimeKit.Text.HtmlTagId.LI or MimeKit.Text.HtmlTagId.TR):
                    text.Append('\n');
                    break;
                case MimeKit.Text.HtmlDataToken data when skipping == 0:
                    text.Append(data.Data);
                    break;
            }
        }

        return text.ToString();
    }

    private static bool IsQuoteStart(MimeKit.Text.HtmlTagToken tag) =>
        tag.Id == MimeKit.Text.HtmlTagId.HR
        || tag.Attributes.Any(a =>
            (a.Id == MimeKit.Text.HtmlAttributeId.Id && a.Value is "divRplyFwdMsg" or "appendonsend")
            || (a.Id == MimeKit.Text.HtmlAttributeId.Class && a.Value?.Contains("gmail_quote", StringComparison.OrdinalIgnoreCase) == true));
}

/// <summary>A mail that answers case <see cref="CaseId"/>; <see cref="Taken"/> once the case has it (the message may leave the inbox).</summary>
public sealed record ReplyTaken(string CaseId, bool Taken);
