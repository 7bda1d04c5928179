using System.Collections.Concurrent;
using System.Diagnostics;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AbuseDesk.Functions.Notifications;

/// <summary>
/// SMTP through MailKit: maildev locally, Azure Communication Services' relay in Azure
/// (smtp.azurecomm.net:587 with STARTTLS and the SMTP credentials; docs/email.md).
/// Connections are kept for the next mail: connecting, STARTTLS and AUTH cost the relay and us more than the mail
/// itself, and a desk sending a thousand notices should not open a thousand connections. A connection that sat
/// idle is checked with NOOP before a mail goes over it, so a relay that dropped it costs a reconnect, never a
/// failed or doubled mail.
/// </summary>
public sealed class SmtpMailer(IOptions<AbuseDeskOptions> options) : IDisposable
{
    private const int MaxIdle = 8;
    private static readonly TimeSpan IdleLimit = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan CheckAfter = TimeSpan.FromSeconds(2);

    private readonly ConcurrentQueue<(SmtpClient Client, long Since)> _idle = new();

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        // A hung relay must not hold the mail's claim past its end: the whole conversation is bounded.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(options.Value.Email.SendTimeout);
        var client = await TakeIdleAsync(bounded.Token) ?? await ConnectAsync(bounded.Token);
        try
        {
            await client.SendAsync(message, bounded.Token);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        if (_idle.Count < MaxIdle)
        {
            _idle.Enqueue((client, Stopwatch.GetTimestamp()));
        }
        else
        {
            await QuitAsync(client);
        }
    }

    private async Task<SmtpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        var client = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, options.Value.Email.SendTimeout.TotalMilliseconds) };
        try
        {
            await client.ConnectAsync(smtp.Host, smtp.Port, smtp.StartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, cancellationToken);
            if (!string.IsNullOrEmpty(smtp.UserName))
            {
                await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", cancellationToken);
            }
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return client;
    }

    /// <summary>A kept connection that still answers, or null.</summary>
    private async Task<SmtpClient?> TakeIdleAsync(CancellationToken cancellationToken)
    {
        while (_idle.TryDequeue(out var idle))
        {
            var idleFor = Stopwatch.GetElapsedTime(idle.Since);
            if (!idle.Client.IsConnected || idleFor > IdleLimit)
            {
                await QuitAsync(idle.Client);
                continue;
            }

            if (idleFor > CheckAfter)
            {
                try
                {
                    await idle.Client.NoOpAsync(cancellationToken);
                }
                catch (Exception ex) when (SmtpFailure.IsMailFailure(ex))
                {
                    idle.Client.Dispose();
                    continue;
                }
            }

            return idle.Client;
        }

        return null;
    }

    private static async Task QuitAsync(SmtpClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await client.DisconnectAsync(true, quick.Token);
            }
        }
        catch (Exception ex) when (SmtpFailure.IsMailFailure(ex) || ex is OperationCanceledException)
        {
            // Saying goodbye is a courtesy; the connection goes either way.
        }
        finally
        {
            client.Dispose();
        }
    }

    public void Dispose()
    {
        while (_idle.TryDequeue(out var idle))
        {
            idle.Client.Dispose();
        }
    }
}
