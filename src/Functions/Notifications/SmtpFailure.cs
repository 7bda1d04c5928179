using System.Net.Sockets;
using System.Text.RegularExpressions;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace AbuseDesk.Functions.Notifications;

/// <summary>A recipient that no SMTP server could accept: no retry can help.</summary>
public sealed class InvalidRecipientException(string address) : Exception($"'{address}' is not a valid recipient address");

/// <summary>
/// Sorts send failures: transient ones (4xx answers, throttling, lost or refused connections, timeouts, a relay
/// rejecting our credentials for now) are retried with backoff; permanent ones (5xx, an address no server takes)
/// fail the mail at once, because repeating them only burns quota.
/// </summary>
public static partial class SmtpFailure
{
    public static bool IsPermanent(Exception exception) => exception switch
    {
        InvalidRecipientException or ParseException => true,
        // Some relays answer throttling with a 5xx and a "too many" text; that passes like any 4xx.
        SmtpCommandException command => (int)command.StatusCode >= 500 && !LooksThrottled(command.Message),
        _ => false,
    };

    /// <summary>Whether the failure came from the mail path at all (not from our own storage or code).</summary>
    public static bool IsMailFailure(Exception exception) => exception is
        InvalidRecipientException or ParseException or SmtpCommandException or SmtpProtocolException
        or ServiceNotConnectedException or ServiceNotAuthenticatedException or AuthenticationException
        or SslHandshakeException or SocketException or IOException or TimeoutException;

    public static string Describe(Exception exception) => exception switch
    {
        SmtpCommandException command => $"SMTP {(int)command.StatusCode} ({command.ErrorCode}): {command.Message}",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };

    /// <summary>
    /// What the customer's case page says about a <c>mail-failed</c> history line: our own fixed words for its rule
    /// plus at most the SMTP status class ("SMTP 5xx"). Never the stored detail: it holds the receiving server's
    /// answer, which whoever runs that server chooses, and the address. The class is read back from the detail that
    /// <see cref="SendEmail"/> wrote ("… not delivered after N attempt(s): SMTP 550 (…): …"); one digit is all that
    /// leaves it, so a crafted answer can change nothing but that digit.
    /// </summary>
    public static string CustomerReason(string? rule, string? detail)
    {
        var match = detail is null ? Match.Empty : StatusInDetail().Match(detail);
        var status = match.Success ? $"SMTP {match.Groups["class"].Value}xx" : null;
        return rule switch
        {
            "email:invalid-recipient" => "We could not deliver our mail to you: the contact address we have for you is not a valid mail address.",
            "email:permanent-failure" => $"We could not deliver our mail to you: the receiving mail server refused it{(status is null ? "" : $" ({status})")}.",
            "email:max-attempts" when status is not null => $"We could not deliver our mail to you: the receiving mail server kept deferring it ({status}), and we stopped trying.",
            "email:max-attempts" => "We could not deliver our mail to you: delivery kept failing, and we stopped trying.",
            _ => "We could not deliver our mail to you.",
        };
    }

    // After SendEmail's "attempt(s): " (optionally "gave up after N attempts; last: "), the status Describe wrote.
    [GeneratedRegex(@"attempt\(s\): (?:gave up after \d+ attempts; last: )?SMTP (?<class>[2-5])\d\d \(", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex StatusInDetail();

    /// <summary>Backoff before try <paramref name="attempts"/> + 1: 2^attempts seconds, capped, with jitter in the upper half.</summary>
    public static TimeSpan Backoff(int attempts, TimeSpan cap, double random)
    {
        var seconds = Math.Min(Math.Pow(2, Math.Clamp(attempts, 0, 30)), cap.TotalSeconds);
        return TimeSpan.FromSeconds(seconds * (0.5 + (0.5 * Math.Clamp(random, 0, 1))));
    }

    private static bool LooksThrottled(string message) =>
        message.Contains("too many", StringComparison.OrdinalIgnoreCase)
        || message.Contains("throttl", StringComparison.OrdinalIgnoreCase)
        || message.Contains("rate limit", StringComparison.OrdinalIgnoreCase)
        || message.Contains("try again later", StringComparison.OrdinalIgnoreCase);
}
