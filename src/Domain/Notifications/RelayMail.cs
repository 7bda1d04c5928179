using Scriban.Runtime;

namespace AbuseDesk.Domain.Notifications;

/// <summary>
/// The customer's words to a case's reporter: under the case's tag (a reply comes back to the abuse mailbox and finds
/// its case), with the case id and nothing else about the customer. The customer's text is escaped in the HTML part.
/// </summary>
public static class RelayMail
{
    public static MailContent ComposeToReporter(string caseId, string text, string? language = null)
    {
        var model = new ScriptObject
        {
            ["lang"] = MailLanguages.Normalize(language),
            ["case_id"] = caseId,
            ["tag"] = CaseMail.Tag(caseId),
            ["text"] = text,
        };
        return CaseMail.Render((string)model["lang"]!, "relay-to-reporter.sbn", "relay-layout", CaseMail.Tag(caseId), model);
    }
}
