using System.Net.Sockets;
using AbuseDesk.Functions.Notifications;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AbuseDesk.Functions.Tests.Notifications;

/// <summary>Which failures are worth retrying, how long to back off, and when the bucket says "come back later".</summary>
public sealed class SmtpFailureTests
{
    private static SmtpCommandException Smtp(SmtpStatusCode status, string message = "rejected") =>
        new(SmtpErrorCode.RecipientNotAccepted, status, new MailboxAddress("", "x@example.net"), message);

    [Theory]
    [InlineData(SmtpStatusCode.MailboxUnavailable)]         // 550
    [InlineData(SmtpStatusCode.MailboxNameNotAllowed)]      // 553
    [InlineData(SmtpStatusCode.TransactionFailed)]          // 554
    public void A_5xx_answer_is_permanent(SmtpStatusCode status)
    {
        Assert.True(SmtpFailure.IsMailFailure(Smtp(status)));
        Assert.True(SmtpFailure.IsPermanent(Smtp(status)));
    }

    [Theory]
    [InlineData(SmtpStatusCode.ServiceNotAvailable)]        // 421
    [InlineData(SmtpStatusCode.MailboxBusy)]                // 450
    [InlineData(SmtpStatusCode.ErrorInProcessing)]          // 451
    [InlineData(SmtpStatusCode.InsufficientStorage)]        // 452
    public void A_4xx_answer_is_transient(SmtpStatusCode status)
    {
        Assert.True(SmtpFailure.IsMailFailure(Smtp(status)));
        Assert.False(SmtpFailure.IsPermanent(Smtp(status)));
    }

    [Fact]
    public void A_5xx_that_says_too_many_is_throttling_and_transient() =>
        Assert.False(SmtpFailure.IsPermanent(Smtp(SmtpStatusCode.TransactionFailed, "5.7.1 Too many messages, slow down")));

    [Fact]
    public void Lost_connections_and_timeouts_are_transient_mail_failures()
    {
        foreach (var ex in new Exception[] { new SocketException((int)SocketError.ConnectionRefused), new IOException("reset"), new TimeoutException(), new SmtpProtocolException("eof") })
        {
            Assert.True(SmtpFailure.IsMailFailure(ex), ex.GetType().Name);
            Assert.False(SmtpFailure.IsPermanent(ex), ex.GetType().Name);
        }
    }

    [Fact]
    public void An_invalid_recipient_is_permanent_and_our_own_bugs_are_not_mail_failures()
    {
        Assert.True(SmtpFailure.IsPermanent(new InvalidRecipientException("a..b@example.net")));
        Assert.False(SmtpFailure.IsMailFailure(new NullReferenceException()));
        Assert.False(SmtpFailure.IsMailFailure(new Azure.RequestFailedException(503, "storage busy")));
    }

    [Theory]
    [InlineData("email:permanent-failure", "FirstNotice mail to a@customer.test not delivered after 1 attempt(s): SMTP 550 (RecipientNotAccepted): <script>alert(1)</script> 5.1.1 no such user",
        "We could not deliver our mail to you: the receiving mail server refused it (SMTP 5xx).")]
    [InlineData("email:max-attempts", "Reminder mail to a@customer.test not delivered after 8 attempt(s): gave up after 8 attempts; last: SMTP 451 (MessageNotAccepted): <img src=x onerror=alert(1)>",
        "We could not deliver our mail to you: the receiving mail server kept deferring it (SMTP 4xx), and we stopped trying.")]
    [InlineData("email:max-attempts", "Reminder mail to a@customer.test not delivered after 8 attempt(s): gave up after 8 attempts; last: SocketException: Connection refused",
        "We could not deliver our mail to you: delivery kept failing, and we stopped trying.")]
    [InlineData("email:invalid-recipient", "FirstNotice mail to bad..dots@mail.test not delivered after 0 attempt(s): InvalidRecipientException: 'bad..dots@mail.test' is not a valid recipient address",
        "We could not deliver our mail to you: the contact address we have for you is not a valid mail address.")]
    [InlineData(null, null, "We could not deliver our mail to you.")]
    public void The_customer_sees_our_own_words_and_the_status_class_never_the_servers_text(string? rule, string? detail, string expected)
    {
        var reason = SmtpFailure.CustomerReason(rule, detail);
        Assert.Equal(expected, reason);
        Assert.DoesNotContain("<", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("@", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 1, 2)]
    [InlineData(3, 4, 8)]
    [InlineData(7, 64, 128)]
    [InlineData(20, 450, 900)]
    public void Backoff_doubles_per_attempt_with_jitter_up_to_the_cap(int attempts, double min, double max)
    {
        var cap = TimeSpan.FromMinutes(15);
        Assert.Equal(min, SmtpFailure.Backoff(attempts, cap, 0).TotalSeconds, 3);
        Assert.Equal(max, SmtpFailure.Backoff(attempts, cap, 1).TotalSeconds, 3);
        var some = SmtpFailure.Backoff(attempts, cap, Random.Shared.NextDouble()).TotalSeconds;
        Assert.InRange(some, min, max);
    }

    [Fact]
    public async Task The_bucket_grants_its_burst_then_names_a_time_to_come_back_instead_of_parking_the_caller()
    {
        var options = Options.Create(new AbuseDeskOptions { Email = new EmailOptions { MaxPerMinute = 6, Burst = 2, MaxWait = TimeSpan.Zero } });
        using var limiter = new MailRateLimiter(options);

        Assert.Null(await limiter.TryAcquireAsync(CancellationToken.None));
        Assert.Null(await limiter.TryAcquireAsync(CancellationToken.None));
        var later = await limiter.TryAcquireAsync(CancellationToken.None);

        Assert.NotNull(later);
        Assert.Equal(TimeSpan.FromSeconds(10), limiter.Period);
        Assert.InRange(later.Value, limiter.Period, 2 * limiter.Period);
    }

    [Fact]
    public async Task A_fast_rate_refills_in_steps_so_a_full_bucket_holds_one_step()
    {
        // 100,000 a minute is one token per 0.6 ms, faster than a timer ticks: the bucket refills 84 per 50 ms step
        // and so starts with 84, though the configured burst is 1.
        var options = Options.Create(new AbuseDeskOptions { Email = new EmailOptions { MaxPerMinute = 100_000, Burst = 1, MaxWait = TimeSpan.Zero } });
        using var limiter = new MailRateLimiter(options);

        var granted = 0;
        while (granted < 1_000 && await limiter.TryAcquireAsync(CancellationToken.None) is null)
        {
            granted++;
        }

        Assert.InRange(granted, 84, 84 * 3);
    }

    [Fact]
    public async Task Feedback_takes_a_token_only_when_no_notice_needs_one()
    {
        // One token every 10 s, two in the bucket: the notice lane's use blocks the feedback lane for a period.
        var options = Options.Create(new AbuseDeskOptions { Email = new EmailOptions { MaxPerMinute = 6, Burst = 3, MaxWait = TimeSpan.Zero } });
        using var limiter = new MailRateLimiter(options);

        Assert.Null(limiter.TryAcquireSpare());
        Assert.Null(await limiter.TryAcquireAsync(CancellationToken.None));
        var later = limiter.TryAcquireSpare();

        // A token is still in the bucket, but a notice may follow the one just sent: feedback stays away a period.
        Assert.NotNull(later);
        Assert.InRange(later.Value, limiter.Period - TimeSpan.FromSeconds(1), 3 * limiter.Period);
        Assert.Null(await limiter.TryAcquireAsync(CancellationToken.None));
    }

    [Fact]
    public void A_bucket_without_rate_is_refused_at_start()
    {
        var options = Options.Create(new AbuseDeskOptions { Email = new EmailOptions { MaxPerMinute = 0 } });
        Assert.Throws<InvalidOperationException>(() => new MailRateLimiter(options));
    }
}
