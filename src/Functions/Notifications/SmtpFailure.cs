using System.Net.Sockets;
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
public static class SmtpFailure
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
