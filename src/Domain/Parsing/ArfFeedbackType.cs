using System.Text.RegularExpressions;

namespace AbuseDesk.Domain.Parsing;

/// <summary>Maps an ARF Feedback-Type (RFC 5965 §7.3 registry, plus older draft values) to the taxonomy.</summary>
internal static partial class ArfFeedbackType
{
    /// <summary>Report type used when the report has no Feedback-Type field at all.</summary>
    public const string Missing = "unspecified";

    /// <summary>Report type used when the Feedback-Type value is not a plausible token.</summary>
    public const string Malformed = "malformed";

    /// <summary>
    /// The lower-cased feedback type when it is a plain token; otherwise <see cref="Malformed"/>, so
    /// attacker-chosen text never becomes a report type (report types key playbooks and table rows).
    /// </summary>
    public static string Normalize(string? feedbackType)
    {
        if (feedbackType is null)
        {
            return Missing;
        }

        var token = feedbackType.Trim().ToLowerInvariant();
        return Token().IsMatch(token) ? token : Malformed;
    }

    public static AbuseClass ToAbuseClass(string normalizedFeedbackType) => normalizedFeedbackType switch
    {
        // Unsolicited mail: by far the bulk of feedback-loop traffic.
        "abuse" => AbuseClass.Spam,

        // RFC 5965: "indicates some kind of fraud or phishing attack". ARF cannot tell the two apart,
        // so the report stays Fraud rather than guessing Phishing and triggering the 24h playbook.
        "fraud" => AbuseClass.Fraud,

        "virus" => AbuseClass.Malware,

        // auth-failure (RFC 6591) says a message failed SPF/DKIM/DMARC checks. That is evidence of a
        // misconfigured or spoofed sender domain, not of abuse by the sending host, and these reports
        // arrive in bulk for legitimate mail; mapping them to Spam would put healthy customers on the
        // spam suspension playbook. Other sends them to a human instead.
        "auth-failure" => AbuseClass.Other,

        // not-spam is a user retracting a complaint, opt-out (older ARF drafts) an unsubscribe request,
        // other is what it says; none of them is abuse to act on automatically.
        _ => AbuseClass.Other,
    };

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex Token();
}
