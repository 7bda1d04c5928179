using MimeKit;

namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Tells the mail that reaches an abuse address without being a report — delivery-status notifications
/// (bounces), automatic replies, read receipts, unsubscribe confirmations and requests, challenge-response
/// mails — from reports. Such mail quotes addresses (the bounced notice, the auto-replier's helpdesk link), and
/// reading it as a complaint would open cases and mail customers about nothing. The answer is why, or null.
/// </summary>
/// <remarks>
/// Real reports are machine-written too: feedback loops, X-ARF and Shadowserver send
/// <c>Auto-Submitted: auto-generated</c> and <c>Precedence: bulk</c>, so neither alone sets a mail aside. What
/// does is what a report never is: a reply (<c>auto-replied</c>, an auto-reply subject), a delivery status
/// (<c>report-type=delivery-status</c>, a bounce's first line), or the fixed wording of a list manager or a
/// challenge-response service. Pure, and bounded by what <see cref="MailContent"/> decodes.
/// </remarks>
internal static class NonReportClassifier
{
    // Characters of the mail's own text searched for fixed wording; the wording of these mails comes first.
    private const int MaxWordingChars = 8 * 1024;

    private const int MaxDepth = 4;

    // Subjects mail systems give their bounces. Matched at the start only: "Fwd: Undeliverable: ..." is a person
    // forwarding a bounce, which may well be a complaint (backscatter from a customer's spam run).
    private static readonly string[] BounceSubjects =
    [
        "undelivered mail returned to sender", "undeliverable:", "undeliverable mail", "undelivered mail",
        "delivery status notification", "mail delivery failed", "mail delivery failure", "returned mail:",
        "failure notice", "delivery failure", "delivery failed", "delivery has failed", "delivery notification:",
        "message delivery failure", "mail system error - returned mail", "warning: could not send message",
        "delayed mail", "delivery delayed", "message delayed", "unzustellbar", "nicht zustellbar",
        "non remis", "non recapitabile", "no se puede entregar", "onbestelbaar", "kan niet worden bezorgd",
    ];

    // The first line of the bounce text of common mail systems (qmail, Exim, Postfix, Sendmail, Gmail,
    // Exchange Online, Exchange on premises).
    private static readonly string[] BounceOpenings =
    [
        "hi. this is the qmail-send program", "this message was created automatically by mail delivery software",
        "this is the mail system at host", "the original message was received at", "this is the mail delivery agent at",
        "delivery to the following recipient failed", "delivery to the following recipients failed",
        "delivery has failed to these recipients", "your message couldn't be delivered", "your message could not be delivered",
        "your message wasn't delivered", "this is an automatically generated delivery status notification",
        "i'm sorry to have to inform you that your message could not", "message delivery to the following recipient",
    ];

    // Words a mail system's bounce subject carries; only believed from a mail system's own address.
    private static readonly string[] BounceWords =
    [
        "undeliver", "undelivered", "returned mail", "delivery status", "delivery failure", "delivery failed",
        "failure notice", "could not be delivered", "not delivered", "delivery has failed", "delivery delayed",
        "unzustellbar", "nicht zustellbar", "non remis",
    ];

    private static readonly string[] MailSystemLocalParts = ["mailer-daemon", "mailer_daemon", "maildaemon", "mail-daemon", "postmaster"];

    private static readonly string[] MailSystemNames = ["mail delivery system", "mail delivery subsystem", "mail delivery service"];

    // How mail clients and servers title an automatic reply: Outlook/Exchange in many languages, Lotus Notes,
    // vacation(1), Sieve, Gmail vacation responders.
    private static readonly string[] AutoReplySubjects =
    [
        "automatic reply", "auto reply", "auto-reply", "autoreply", "auto response", "auto-response", "autoresponse",
        "out of office", "out of the office", "ooo:", "ooo ", "abwesenheitsnotiz", "abwesenheit:", "automatische antwort",
        "réponse automatique", "reponse automatique", "absence du bureau", "risposta automatica", "respuesta automática",
        "respuesta automatica", "resposta automática", "resposta automatica", "automatisch antwoord", "autosvar",
        "automaattinen vastaus", "automatyczna odpowiedź", "vacation notice", "vacation reply", "vacation response",
        "on vacation", "away from my mail", "away from the office", "i am out of the office", "i'm out of the office",
        "i am away", "i'm away",
    ];

    // Anywhere in the subject: Lotus Notes writes "AUTO: Jane Doe is out of the office (returning 30/11/2026)".
    private static readonly string[] AutoReplySubjectParts = ["is out of the office", "out of office autoreply", "automatic reply:"];

    // With Precedence: junk or bulk (vacation(1) and many autoresponders), an absence in the subject is a reply.
    private static readonly string[] AbsenceWords =
    [
        "vacation", "out of office", "out of the office", "away from", "abwesend", "urlaub", "absent", "absence",
        "holiday", "congés", "conges", "vacances", "ferie",
    ];

    private static readonly string[] UnsubscribedSubjects =
    [
        "you have been unsubscribed", "you've been unsubscribed", "you are now unsubscribed", "you're unsubscribed",
        "you have successfully unsubscribed", "you've successfully unsubscribed", "successfully unsubscribed",
        "unsubscribe confirmation", "unsubscription confirmation", "unsubscribe successful", "unsubscribed successfully",
        "confirmation of unsubscription", "your unsubscribe request", "unsubscribe request received",
        "abmeldung bestätigt", "abmeldebestätigung", "sie wurden abgemeldet", "sie haben sich erfolgreich abgemeldet",
        "désinscription confirmée", "confirmation de désinscription", "vous avez été désinscrit", "vous êtes désinscrit",
    ];

    // A list manager's confirmation, believed only from an automated sender: a person complaining may quote it.
    private static readonly string[] UnsubscribedPhrases =
    [
        "you have been unsubscribed", "you have been successfully unsubscribed", "you have successfully unsubscribed",
        "you are no longer subscribed", "has been unsubscribed from", "has been removed from the list",
        "you have been removed from our mailing list", "you have been removed from the mailing list",
        "you will no longer receive", "sie wurden erfolgreich abgemeldet", "vous avez été désinscrit",
    ];

    private static readonly string[] UnsubscribeRequestWording = ["unsubscribe", "automatically generated", "abmelden", "désabonner", "desabonner"];

    private static readonly string[] ChallengeSubjects =
    [
        "please confirm your message", "please confirm your e-mail message", "please confirm your email message",
        "confirm your message", "please verify your message", "verify your message", "please verify your email to deliver",
        "sender verification", "verification required to deliver", "message awaiting verification",
        "your message is awaiting verification", "request to be added to my guest list",
    ];

    private static readonly string[] ChallengeSubjectParts = ["is awaiting verification", "awaiting your verification", "[spam arrest]", "boxbe"];

    // A challenge-response service's wording, believed only from an automated sender: "verify you are human" is
    // also what a fake-CAPTCHA phishing page says, which a person may well report.
    private static readonly string[] ChallengePhrases =
    [
        "spam arrest", "spamarrest", "boxbe", "mailblocks", "choicemail", "challenge-response", "challenge/response",
        "verify that you are human", "verify you are human", "verify that you are a person", "prove you are human",
        "confirm that you are a human", "to have your message delivered", "before your message can be delivered",
        "your message will be delivered once", "i use a spam filter that requires",
    ];

    private static readonly string[] NoReplyLocalParts = ["noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply", "bounce", "bounces", "mailer", "list", "newsletter", "autoreply", "auto-reply"];

    /// <summary>
    /// What the mail's headers and MIME structure declare: a delivery-status notification or read receipt
    /// (<c>multipart/report</c> of those types, or their status part), an automatic reply (<c>Auto-Submitted:
    /// auto-replied</c>, <c>X-Autoreply</c>, <c>Precedence: auto_reply</c>). Believed before any report format reads the
    /// mail, because a bounce returns the message it bounces, and that may have been a report. A feedback report
    /// (ARF) or an X-ARF mail declares itself a report and is never set aside here.
    /// </summary>
    public static string? Declared(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var headers = message.Headers;
        if (Value(headers["X-ARF"]) == "yes")
        {
            return null;
        }

        var (feedbackReport, status) = StatusReport(message.Body);
        if (feedbackReport)
        {
            return null;
        }

        if (status is not null)
        {
            return status;
        }

        if (Value(headers["Auto-Submitted"]) is { } submitted && submitted.StartsWith("auto-replied", StringComparison.Ordinal))
        {
            return "automatic reply: Auto-Submitted: auto-replied";
        }

        foreach (var name in new[] { "X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Mail-Autoreply" })
        {
            if (Value(headers[name]) is { } value && value is not ("no" or "false" or "0"))
            {
                return $"automatic reply: {name} header";
            }
        }

        foreach (var name in new[] { "Precedence", "X-Precedence" })
        {
            if (Value(headers[name]) is "auto_reply" or "auto-reply")
            {
                return $"automatic reply: {name}: auto_reply";
            }
        }

        return Value(headers["X-Autogenerated"]) == "reply" ? "automatic reply: X-Autogenerated: Reply" : null;
    }

    /// <summary>
    /// What the mail reads like: a bounce by its subject, its first line or its mail-system sender; an automatic
    /// reply by its subject; an unsubscribe confirmation or request; a challenge-response. Asked after the report
    /// formats had their say, so a report whose subject quotes a spam's ("Undelivered Mail Returned to Sender" in a
    /// feedback loop about backscatter) stays a report.
    /// </summary>
    public static string? Apparent(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var mail = MailContent.Of(message);
        var subject = EvidenceExcerpt.Flatten(mail.Subject, 1000).Trim();
        var own = OwnWording(mail);

        if (StartsWithAny(subject, BounceSubjects) is not null)
        {
            return $"delivery-status notification: subject {Quote(subject)}";
        }

        if (StartsWithAny(FirstLine(mail), BounceOpenings) is { } opening)
        {
            return $"delivery-status notification: the text begins \"{opening}\"";
        }

        if (FromMailSystem(message) && ContainsAny(subject, BounceWords) is not null)
        {
            return $"delivery-status notification: from the mail system, subject {Quote(subject)}";
        }

        if (StartsWithAny(subject, AutoReplySubjects) is not null || ContainsAny(subject, AutoReplySubjectParts) is not null)
        {
            return $"automatic reply: subject {Quote(subject)}";
        }

        var headers = message.Headers;
        if (Value(headers["Precedence"]) is "junk" or "bulk" or "list" && ContainsAny(subject, AbsenceWords) is not null)
        {
            return $"automatic reply: Precedence: {Value(headers["Precedence"])} and subject {Quote(subject)}";
        }

        if (StartsWithAny(subject, UnsubscribedSubjects) is not null)
        {
            return $"unsubscribe confirmation: subject {Quote(subject)}";
        }

        if (IsUnsubscribeCommand(subject) && (own.Trim().Length == 0 || ContainsAny(own, UnsubscribeRequestWording) is not null))
        {
            return $"unsubscribe request: subject {Quote(subject)}";
        }

        if (StartsWithAny(subject, ChallengeSubjects) is not null || ContainsAny(subject, ChallengeSubjectParts) is not null)
        {
            return $"challenge-response: subject {Quote(subject)}";
        }

        var automated = Automated(message);
        if (automated is not null && ContainsAny(own, UnsubscribedPhrases) is { } unsubscribed)
        {
            return $"unsubscribe confirmation: \"{unsubscribed}\" from an automated sender ({automated})";
        }

        if (automated is not null && ContainsAny(own, ChallengePhrases) is { } challenge)
        {
            return $"challenge-response: \"{challenge}\" from an automated sender ({automated})";
        }

        return null;
    }

    /// <summary>
    /// Whether the mail's own MIME structure (not a message it attaches) holds a feedback report, and which
    /// delivery or disposition status it is if it is one.
    /// </summary>
    private static (bool FeedbackReport, string? Status) StatusReport(MimeEntity? body)
    {
        string? status = null;
        var pending = new Stack<(MimeEntity Entity, int Depth)>();
        if (body is not null)
        {
            pending.Push((body, 0));
        }

        while (pending.TryPop(out var item))
        {
            var type = item.Entity.ContentType;
            if (type.IsMimeType("message", "feedback-report"))
            {
                return (true, null);
            }

            if (type.IsMimeType("message", "delivery-status") || type.IsMimeType("message", "global-delivery-status"))
            {
                status ??= $"delivery-status notification: a {type.MimeType.ToLowerInvariant()} part";
            }
            else if (type.IsMimeType("message", "disposition-notification") || type.IsMimeType("message", "global-disposition-notification"))
            {
                status ??= "read receipt: a message/disposition-notification part";
            }

            if (item.Entity is Multipart multipart)
            {
                switch (Value(type.Parameters["report-type"]))
                {
                    case "feedback-report":
                        return (true, null);
                    case "delivery-status" or "global-delivery-status" when type.IsMimeType("multipart", "report"):
                        status ??= "delivery-status notification: multipart/report; report-type=delivery-status";
                        break;
                    case "disposition-notification" when type.IsMimeType("multipart", "report"):
                        status ??= "read receipt: multipart/report; report-type=disposition-notification";
                        break;
                }

                if (item.Depth < MaxDepth)
                {
                    foreach (var child in multipart.Take(50))
                    {
                        pending.Push((child, item.Depth + 1));
                    }
                }
            }
        }

        return (false, status);
    }

    /// <summary>The start of the mail's own text, lower case, up to the first forwarded or quoted message.</summary>
    private static string OwnWording(MailContent mail)
    {
        var text = new System.Text.StringBuilder();
        foreach (var body in mail.ReadableBodies())
        {
            foreach (var line in body.Split('\n'))
            {
                if (text.Length >= MaxWordingChars || ComplaintReader.ForwardMarkers.Any(m => line.Contains(m, StringComparison.OrdinalIgnoreCase)))
                {
                    return text.ToString().ToLowerInvariant();
                }

                if (!line.TrimStart().StartsWith('>'))
                {
                    text.Append(line.Trim()).Append('\n');
                }
            }
        }

        return text.ToString().ToLowerInvariant();
    }

    /// <summary>The first line of the mail's own text: where a mail system's bounce says what it is.</summary>
    private static string FirstLine(MailContent mail)
    {
        foreach (var body in mail.ReadableBodies().Take(1))
        {
            foreach (var line in body.Split('\n'))
            {
                if (line.Trim() is { Length: > 0 } text)
                {
                    return EvidenceExcerpt.Flatten(text, 200);
                }
            }
        }

        return string.Empty;
    }

    private static bool FromMailSystem(MimeMessage message)
    {
        if (LocalPart(message) is { } local && MailSystemLocalParts.Contains(local))
        {
            return true;
        }

        // "MAILER-DAEMON (Mail Delivery System)" has no domain and may not parse as an address; the raw header says it.
        var raw = message.Headers[HeaderId.From] ?? string.Empty;
        return ContainsAny(raw, MailSystemNames) is not null || raw.Contains("mailer-daemon", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Why the mail looks machine-sent (for wording a person could quote), or null.</summary>
    private static string? Automated(MimeMessage message)
    {
        var headers = message.Headers;
        if (Value(headers["Auto-Submitted"]) is { } submitted && submitted != "no")
        {
            return $"Auto-Submitted: {submitted}";
        }

        if (Value(headers["Precedence"]) is { } precedence && precedence is "bulk" or "junk" or "list")
        {
            return $"Precedence: {precedence}";
        }

        foreach (var name in new[] { "List-Id", "List-Unsubscribe", "X-Auto-Response-Suppress" })
        {
            if (headers.Contains(name))
            {
                return $"{name} header";
            }
        }

        return LocalPart(message) is { } local && NoReplyLocalParts.Any(p => local == p || local.StartsWith(p + "+", StringComparison.Ordinal) || local.StartsWith(p + "-", StringComparison.Ordinal))
            ? $"sender {local}@"
            : null;
    }

    /// <summary>"unsubscribe", or "unsubscribe" and one token, as a mail client sends for a List-Unsubscribe mailto: link.</summary>
    private static bool IsUnsubscribeCommand(string subject)
    {
        var words = subject.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length is 1 or 2 && words[0].Equals("unsubscribe", StringComparison.OrdinalIgnoreCase);
    }

    private static string? LocalPart(MimeMessage message)
    {
        var mailbox = message.From.Mailboxes.FirstOrDefault() ?? message.Sender;
        return string.IsNullOrEmpty(mailbox?.LocalPart) ? null : mailbox.LocalPart.ToLowerInvariant();
    }

    /// <summary>A header or parameter value: trimmed, lower case, without a trailing comment or parameters.</summary>
    private static string? Value(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var value = raw.Trim();
        var end = value.IndexOfAny([';', '(', ' ', '\t']);
        return (end > 0 ? value[..end] : value).Trim('"').ToLowerInvariant();
    }

    private static string? StartsWithAny(string text, string[] prefixes) =>
        Array.Find(prefixes, p => text.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    private static string? ContainsAny(string text, string[] parts) =>
        Array.Find(parts, p => text.Contains(p, StringComparison.OrdinalIgnoreCase));

    private static string Quote(string subject) => $"\"{MailboxRedaction.Redact(EvidenceExcerpt.Flatten(subject, 120))}\"";
}
