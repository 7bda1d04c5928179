using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AbuseDesk.Functions.Notifications;

/// <summary>
/// SMTP through MailKit: maildev locally, Azure Communication Services' relay in Azure
/// (smtp.azurecomm.net:587 with STARTTLS and the SMTP credentials; docs/email.md).
/// </summary>
public sealed class SmtpMailer(IOptions<AbuseDeskOptions> options)
{
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        // A hung relay must not hold the mail's claim past its end: the whole conversation is bounded.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(options.Value.Email.SendTimeout);
        using var client = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, options.Value.Email.SendTimeout.TotalMilliseconds) };
        await client.ConnectAsync(smtp.Host, smtp.Port, smtp.StartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, bounded.Token);
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", bounded.Token);
        }

        await client.SendAsync(message, bounded.Token);
        await client.DisconnectAsync(true, bounded.Token);
    }
}
