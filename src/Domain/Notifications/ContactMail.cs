using System.Globalization;
using Scriban.Runtime;

namespace AbuseDesk.Domain.Notifications;

/// <summary>
/// The mails about a customer's abuse contact: the link that confirms a new address (sent to that address, so only
/// who reads it can make it the contact), and the word to the old address once it changed (so a change nobody
/// asked for does not go unnoticed). Addresses are escaped in the HTML part like every value.
/// </summary>
public static class ContactMail
{
    public static MailContent ComposeConfirmation(string customerId, string newAddress, string confirmUrl, DateTimeOffset expiresAt, string? language = null)
    {
        var model = Model(customerId, newAddress, language);
        model["confirm_url"] = Uri.TryCreate(confirmUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? confirmUrl
            : throw new ArgumentException($"the confirmation URL must be absolute http(s): '{confirmUrl}'", nameof(confirmUrl));
        model["expires"] = expiresAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        return Render("contact-confirm.sbn", model);
    }

    public static MailContent ComposeChanged(string customerId, string oldAddress, string newAddress, bool byOps, string? language = null)
    {
        var model = Model(customerId, newAddress, language);
        model["old_address"] = oldAddress;
        model["by_ops"] = byOps;
        model["confirm_url"] = null;
        return Render("contact-changed.sbn", model);
    }

    private static ScriptObject Model(string customerId, string newAddress, string? language) => new()
    {
        ["lang"] = MailLanguages.Normalize(language),
        ["customer_id"] = customerId,
        ["new_address"] = newAddress,
    };

    private static MailContent Render(string sentences, ScriptObject model) =>
        CaseMail.Render((string)model["lang"]!, sentences, "contact-layout", "[AbuseDesk]", model);
}
