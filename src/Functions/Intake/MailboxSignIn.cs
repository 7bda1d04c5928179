using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Identity;
using MailKit.Net.Imap;
using MailKit.Security;

namespace AbuseDesk.Functions.Intake;

/// <summary>
/// Connects to the abuse mailbox as configured: implicit TLS, STARTTLS or (loopback test servers) none; the server's
/// certificate checked as usual, or pinned by its SHA-256 for a server no public CA vouches for; signed in with the
/// password, or for hosted mailboxes (Exchange Online takes no passwords) SASL XOAUTH2 with a managed identity token.
/// </summary>
public static class MailboxSignIn
{
    public static async Task<ImapClient> ConnectAsync(MailboxOptions mailbox, string? managedIdentityClientId, CancellationToken cancellationToken)
    {
        var client = new ImapClient { Timeout = (int)mailbox.Timeout.TotalMilliseconds };
        try
        {
            if (Pin(mailbox.ServerCertificateSha256) is { } pin)
            {
                client.ServerCertificateValidationCallback = (_, certificate, _, errors) =>
                    errors == SslPolicyErrors.None || (certificate is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(certificate.GetRawCertData()), pin));
            }

            var security = mailbox.Security switch
            {
                MailboxSecurity.Tls => SecureSocketOptions.SslOnConnect,
                MailboxSecurity.StartTls => SecureSocketOptions.StartTls,
                _ => SecureSocketOptions.None,
            };
            await client.ConnectAsync(mailbox.Host!, mailbox.Port, security, cancellationToken);
            if (!string.IsNullOrEmpty(mailbox.OAuth2Scope))
            {
                var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = managedIdentityClientId });
                var token = await credential.GetTokenAsync(new TokenRequestContext([mailbox.OAuth2Scope]), cancellationToken);
                await client.AuthenticateAsync(new SaslMechanismOAuth2(mailbox.UserName!, token.Token), cancellationToken);
            }
            else
            {
                await client.AuthenticateAsync(new NetworkCredential(mailbox.UserName, mailbox.Password), cancellationToken);
            }

            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>The SHA-256 of a server's certificate (its DER bytes), as the hex ops give it.</summary>
    public static string Sha256Of(X509Certificate certificate) => Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData()));

    private static byte[]? Pin(string? hex) =>
        string.IsNullOrWhiteSpace(hex) ? null : Convert.FromHexString(MailboxOptions.PinHex(hex));
}
