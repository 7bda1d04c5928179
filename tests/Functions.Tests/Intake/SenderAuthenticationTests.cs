using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using AbuseDesk.Functions.Intake;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace AbuseDesk.Functions.Tests.Intake;

/// <summary>
/// Who sent an abuse-report mail: real-looking reports signed in the test with MimeKit's DkimSigner, keys served
/// from memory in the TXT form DNS would give, and Authentication-Results headers as mailbox providers stamp them.
/// </summary>
public sealed class SenderAuthenticationTests
{
    private static readonly string[] Trusted = ["mx.google.com"];

    private static readonly TestKey Shadowserver = TestKey.Create(2048);
    private static readonly TestKey Mailer = TestKey.Create(2048);

    private static readonly InMemoryKeys Keys = new(new Dictionary<string, string>
    {
        ["sel1._domainkey.shadowserver.org"] = Shadowserver.Txt,
        ["sel1._domainkey.reports.shadowserver.org"] = Shadowserver.Txt,
        ["mx2026._domainkey.mailer.example"] = Mailer.Txt,
    });

    [Fact]
    public async Task A_valid_signature_by_the_From_domain_passes_and_is_aligned()
    {
        var verdict = await VerifyAsync(Signed(Report(), Shadowserver, "shadowserver.org"));

        Assert.Equal("autoreports@shadowserver.org", verdict.FromAddress);
        Assert.Equal("shadowserver.org", verdict.FromDomain);
        Assert.Equal("pass", verdict.Dkim);
        Assert.Equal("shadowserver.org", verdict.DkimDomain);
        Assert.Equal("unknown", verdict.Spf);
        Assert.Null(verdict.SpfDomain);
        Assert.True(verdict.Aligned);
        Assert.True(verdict.Authenticated);
        Assert.Equal("DKIM pass (d=shadowserver.org), SPF unknown (no trusted Authentication-Results), aligned with From shadowserver.org", verdict.Summary);
    }

    [Fact]
    public async Task A_signature_by_a_subdomain_of_the_From_domain_is_aligned()
    {
        var verdict = await VerifyAsync(Signed(Report(), Shadowserver, "reports.shadowserver.org"));

        Assert.Equal("pass", verdict.Dkim);
        Assert.Equal("reports.shadowserver.org", verdict.DkimDomain);
        Assert.True(verdict.Aligned);
    }

    [Fact]
    public async Task A_body_changed_after_signing_fails()
    {
        var raw = Replace(Signed(Report(), Shadowserver, "shadowserver.org"), "198.51.100.7 udp/53", "198.51.100.8 udp/53");

        var verdict = await VerifyAsync(raw);

        Assert.Equal("fail", verdict.Dkim);
        Assert.Equal("shadowserver.org", verdict.DkimDomain);
        Assert.False(verdict.Aligned);
        Assert.False(verdict.Authenticated);
        Assert.Equal("DKIM fail (d=shadowserver.org; body hash mismatch), SPF unknown (no trusted Authentication-Results), not aligned with From shadowserver.org", verdict.Summary);
    }

    [Fact]
    public async Task A_signed_header_changed_after_signing_fails()
    {
        var raw = Replace(Signed(Report(), Shadowserver, "shadowserver.org"), "Open DNS Resolver Report", "Open DNS Resolver Rep0rt");

        var verdict = await VerifyAsync(raw);

        Assert.Equal("fail", verdict.Dkim);
        Assert.Contains("signature mismatch", verdict.Summary, StringComparison.Ordinal);
        Assert.False(verdict.Aligned);
    }

    [Fact]
    public async Task A_signature_by_another_domain_passes_but_is_not_aligned()
    {
        var verdict = await VerifyAsync(Signed(Report(), Mailer, "mailer.example", "mx2026"));

        Assert.Equal("pass", verdict.Dkim);
        Assert.Equal("mailer.example", verdict.DkimDomain);
        Assert.False(verdict.Aligned);
        Assert.Equal("DKIM pass (d=mailer.example), SPF unknown (no trusted Authentication-Results), not aligned with From shadowserver.org", verdict.Summary);
    }

    [Fact]
    public async Task A_signature_by_another_domain_with_a_trusted_SPF_pass_for_the_From_domain_is_aligned()
    {
        var raw = Prepend(Signed(Report(), Mailer, "mailer.example", "mx2026"),
            "Authentication-Results: mx.google.com;\r\n       spf=pass (google.com: domain of bounces@shadowserver.org designates 192.0.2.25 as permitted sender) smtp.mailfrom=bounces@shadowserver.org");

        var verdict = await VerifyAsync(raw);

        Assert.Equal("pass", verdict.Dkim);
        Assert.Equal("mailer.example", verdict.DkimDomain);
        Assert.Equal("pass", verdict.Spf);
        Assert.Equal("shadowserver.org", verdict.SpfDomain);
        Assert.True(verdict.Aligned);
    }

    [Fact]
    public async Task Of_several_passing_signatures_the_one_aligned_with_From_is_named()
    {
        var message = Report();
        Sign(message, Mailer, "mailer.example", "mx2026");
        Sign(message, Shadowserver, "shadowserver.org");
        // Each signature goes on top, so the aligned one is first; move it below the other, so that the first
        // passing signature is not the one that vouches for From.
        using var stream = new MemoryStream(Bytes(message));
        var reordered = MimeMessage.Load(stream);
        var signatures = reordered.Headers.Where(h => h.Id == HeaderId.DkimSignature).ToList();
        Assert.Equal(2, signatures.Count);
        Assert.Contains("d=shadowserver.org", signatures[0].Value, StringComparison.Ordinal);
        reordered.Headers.Remove(signatures[0]);
        reordered.Headers.Insert(reordered.Headers.IndexOf(signatures[1]) + 1, signatures[0]);

        var verdict = await VerifyAsync(Bytes(reordered));

        Assert.Equal("pass", verdict.Dkim);
        Assert.Equal("shadowserver.org", verdict.DkimDomain);
        Assert.True(verdict.Aligned);
    }

    [Fact]
    public async Task An_unsigned_mail_is_none()
    {
        var verdict = await VerifyAsync(Bytes(Report()));

        Assert.Equal("none", verdict.Dkim);
        Assert.Null(verdict.DkimDomain);
        Assert.False(verdict.Aligned);
        Assert.Equal("DKIM none, SPF unknown (no trusted Authentication-Results), not aligned with From shadowserver.org", verdict.Summary);
    }

    [Fact]
    public async Task A_key_lookup_that_throws_is_a_temperror()
    {
        var verdict = await VerifyAsync(Signed(Report(), Shadowserver, "shadowserver.org"), new ThrowingKeys());

        Assert.Equal("temperror", verdict.Dkim);
        Assert.Equal("shadowserver.org", verdict.DkimDomain);
        Assert.False(verdict.Aligned);
        Assert.Contains("key lookup failed", verdict.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_lookup_that_never_answers_is_a_temperror_after_the_DNS_timeout()
    {
        var raw = Signed(Report(), Shadowserver, "shadowserver.org");
        var clock = Stopwatch.StartNew();

        // This locator ignores its cancellation token: the bound must hold anyway.
        var verdict = await VerifyAsync(raw, new SilentKeys(), timeoutMilliseconds: 200);

        Assert.Equal("temperror", verdict.Dkim);
        Assert.Contains("key lookup timed out", verdict.Summary, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_selector_without_a_key_is_a_permerror()
    {
        var verdict = await VerifyAsync(Signed(Report(), Shadowserver, "shadowserver.org", "retired"));

        Assert.Equal("permerror", verdict.Dkim);
        Assert.Contains("no key record", verdict.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v=1; a=rsa-sha256; d=shadowserver.org; b=!!!not-base64!!!", "shadowserver.org")]
    [InlineData(";;;==garbage; (((", null)]
    [InlineData("v=1; a=rsa-sha256; c=relaxed/relaxed; d=shadowserver.org; s=sel1; h=to:subject; bh=AAAA; b=AAAA", "shadowserver.org")]
    [InlineData("v=1; a=rsa-sha256; c=relaxed/relaxed; d=shadowserver.org; d=mailer.example; s=sel1; h=from; bh=AAAA; b=AAAA", "shadowserver.org")]
    [InlineData("v=1; a=rsa-md5; d=shadowserver.org; s=sel1; h=from; bh=AAAA; b=AAAA", "shadowserver.org")]
    [InlineData("v=1; a=rsa-sha256; d=exa mple..org; s=sel1; h=from; bh=AAAA; b=AAAA", null)]
    public async Task A_garbage_signature_is_a_permerror(string signature, string? domain)
    {
        var raw = Prepend(Bytes(Report()), "DKIM-Signature: " + signature);

        var verdict = await VerifyAsync(raw);

        Assert.Equal("permerror", verdict.Dkim);
        Assert.Equal(domain, verdict.DkimDomain);
        Assert.False(verdict.Aligned);
        Assert.Equal("shadowserver.org", verdict.FromDomain);
    }

    [Fact]
    public async Task A_signature_too_long_or_naming_hundreds_of_fields_is_refused_before_it_is_checked()
    {
        var fields = string.Join(':', Enumerable.Repeat("x-junk", 300).Prepend("from"));
        var many = await VerifyAsync(Prepend(Bytes(Report()), $"DKIM-Signature: v=1; a=rsa-sha256; d=shadowserver.org; s=sel1; h={fields}; bh=AAAA; b=AAAA"));
        var huge = await VerifyAsync(Prepend(Bytes(Report()), $"DKIM-Signature: v=1; a=rsa-sha256; d=shadowserver.org; s=sel1; h=from; bh=AAAA; b={new string('A', 20_000)}"));

        Assert.Equal("permerror", many.Dkim);
        Assert.Contains($"more than {SenderAuthentication.MaxSignedFields} signed fields", many.Summary, StringComparison.Ordinal);
        Assert.Equal("permerror", huge.Dkim);
        Assert.Contains("DKIM-Signature too long", huge.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_first_five_signatures_are_checked_among_ten_thousand_headers()
    {
        var signed = Signed(Report(), Shadowserver, "shadowserver.org");
        var junk = string.Join("\r\n", Enumerable.Range(0, 10_000).Select(i => $"X-Junk-{i}: (((\"unbalanced <@@ =?utf-8?q?x?= ;;"));
        var broken = string.Join("\r\n", Enumerable.Range(0, 6).Select(i => $"DKIM-Signature: v=1; a=rsa-sha256; d=broken{i}.example; b=x"));

        // The valid signature comes seventh: never looked at.
        var verdict = await VerifyAsync(Prepend(signed, junk + "\r\n" + broken));

        Assert.Equal("permerror", verdict.Dkim);
        Assert.Equal("broken0.example", verdict.DkimDomain);
        Assert.Contains("2 more signatures not checked", verdict.Summary, StringComparison.Ordinal);
        Assert.Equal("shadowserver.org", verdict.FromDomain);
    }

    [Fact]
    public async Task A_trusted_SPF_pass_in_the_From_domain_is_aligned_without_DKIM()
    {
        var raw = Prepend(Bytes(Report()),
            "Authentication-Results: mx.google.com;\r\n"
            + "       spf=pass (google.com: domain of bounces@reports.shadowserver.org designates 192.0.2.25 as permitted sender) smtp.mailfrom=bounces@reports.shadowserver.org;\r\n"
            + "       dkim=pass header.i=@shadowserver.org header.s=sel1 header.b=AbCdEf;\r\n"
            + "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=shadowserver.org");

        var verdict = await VerifyAsync(raw);

        Assert.Equal("pass", verdict.Spf);
        Assert.Equal("reports.shadowserver.org", verdict.SpfDomain);
        // The header's dkim=pass is not believed: there is no signature here.
        Assert.Equal("none", verdict.Dkim);
        Assert.True(verdict.Aligned);
        Assert.Equal("DKIM none, SPF pass (mailfrom reports.shadowserver.org), aligned with From shadowserver.org", verdict.Summary);
    }

    [Fact]
    public async Task The_same_SPF_pass_from_an_untrusted_authserv_id_is_ignored()
    {
        var raw = Prepend(Bytes(Report()),
            "Authentication-Results: mx.evil.example; spf=pass smtp.mailfrom=bounces@shadowserver.org; dkim=pass header.d=shadowserver.org");

        var verdict = await VerifyAsync(raw);

        Assert.Equal("unknown", verdict.Spf);
        Assert.Null(verdict.SpfDomain);
        Assert.Equal("none", verdict.Dkim);
        Assert.False(verdict.Aligned);
    }

    [Fact]
    public async Task Only_the_topmost_trusted_header_counts_so_one_the_sender_wrote_below_it_does_not()
    {
        var raw = Prepend(Bytes(Report()),
            "Authentication-Results: mx.evil.example; spf=pass smtp.mailfrom=shadowserver.org\r\n"
            + "Authentication-Results: MX.Google.com; SPF=SoftFail (google.com: transitioning) SMTP.MailFrom=Bounces@Mailer.Example\r\n"
            + "Received: from mailer.example (mailer.example [192.0.2.99]) by mx.google.com\r\n"
            + "Authentication-Results: mx.google.com; spf=pass smtp.mailfrom=shadowserver.org");

        var verdict = await VerifyAsync(raw);

        Assert.Equal("softfail", verdict.Spf);
        Assert.Equal("mailer.example", verdict.SpfDomain);
        Assert.False(verdict.Aligned);
    }

    [Fact]
    public async Task A_mail_without_From_gets_a_verdict_with_nulls()
    {
        // MimeKit's signer will not sign without From: the From line goes after signing.
        var raw = WithoutHeader(Signed(Report(), Shadowserver, "shadowserver.org"), "From");

        var verdict = await VerifyAsync(raw);

        Assert.Null(verdict.FromAddress);
        Assert.Null(verdict.FromDomain);
        Assert.False(verdict.Aligned);
        Assert.Equal("fail", verdict.Dkim);
        Assert.EndsWith("no From address", verdict.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("From: \r\n\r\nbody\r\n")]
    [InlineData("From: undisclosed-recipients:;\r\n\r\nbody\r\n")]
    [InlineData("From: <>\r\n\r\nbody\r\n")]
    [InlineData("From: no-domain-here\r\n\r\nbody\r\n")]
    [InlineData("")]
    [InlineData("\0\0\0\u00ff\u00fe garbage without any header\r\n")]
    public async Task Garbage_gets_a_verdict_not_an_exception(string text)
    {
        var verdict = await VerifyAsync(Encoding.Latin1.GetBytes(text));

        Assert.Null(verdict.FromAddress);
        Assert.Null(verdict.FromDomain);
        Assert.Equal("none", verdict.Dkim);
        Assert.Equal("unknown", verdict.Spf);
        Assert.False(verdict.Authenticated);
    }

    [Fact]
    public async Task A_second_From_header_is_never_vouched_for()
    {
        // The signed From is the last one; a reader may well be shown the first.
        var raw = Prepend(Signed(Report(), Shadowserver, "shadowserver.org"), "From: CEO <ceo@shadowserver.org>");

        var verdict = await VerifyAsync(raw);

        Assert.Equal("pass", verdict.Dkim);
        Assert.Equal("ceo@shadowserver.org", verdict.FromAddress);
        Assert.False(verdict.Aligned);
        Assert.EndsWith("not aligned: 2 From headers (first shadowserver.org)", verdict.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_rsa_sha1_signature_fails_as_MimeKit_refuses_it_by_default()
    {
        var verdict = await VerifyAsync(Signed(Report(), Shadowserver, "shadowserver.org", algorithm: DkimSignatureAlgorithm.RsaSha1));

        Assert.Equal("fail", verdict.Dkim);
        Assert.Contains("rsa-sha1 not accepted", verdict.Summary, StringComparison.Ordinal);
        Assert.False(verdict.Aligned);
    }

    [Fact]
    public async Task A_signature_by_a_512_bit_key_fails_as_MimeKit_refuses_keys_under_1024_bits()
    {
        var weak = TestKey.Create(512);
        var keys = new InMemoryKeys(new Dictionary<string, string> { ["weak._domainkey.shadowserver.org"] = weak.Txt });

        var verdict = await VerifyAsync(Signed(Report(), weak, "shadowserver.org", "weak"), keys);

        Assert.Equal("fail", verdict.Dkim);
        Assert.Contains("RSA key of 512 bits not accepted", verdict.Summary, StringComparison.Ordinal);
        Assert.False(verdict.Aligned);
    }

    [Fact]
    public async Task A_body_length_limit_passes_with_text_appended_after_it_and_says_so()
    {
        const string body = "198.51.100.7 answered recursive DNS queries at 2026-03-02T03:14:00Z.\r\n";
        var raw = HandSignedWithLength(body, Shadowserver);
        var appended = raw.Concat(Encoding.ASCII.GetBytes("Ignore the above: 203.0.113.50 is the real offender.\r\n")).ToArray();

        var verdict = await VerifyAsync(appended);

        Assert.Equal("pass", verdict.Dkim);
        Assert.True(verdict.Aligned);
        Assert.Contains($"l={body.Length}: only part of the body is signed", verdict.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_signature_still_passes_as_MimeKit_ignores_x_but_says_so()
    {
        const string body = "198.51.100.7 answered recursive DNS queries at 2026-03-02T03:14:00Z.\r\n";

        var verdict = await VerifyAsync(HandSignedWithLength(body, Shadowserver, "t=1600000000; x=1600086400; "));

        Assert.Equal("pass", verdict.Dkim);
        Assert.Contains("expired (x=)", verdict.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_stream_is_left_at_position_0_and_whole()
    {
        var raw = Signed(Report(), Shadowserver, "shadowserver.org");
        using var stream = new MemoryStream(raw);
        var authentication = Authentication(Keys, 2000);

        await authentication.VerifyAsync(stream, Trusted, CancellationToken.None);

        Assert.Equal(0, stream.Position);
        Assert.Equal(raw, stream.ToArray());
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(raw, copy.ToArray());
    }

    [Theory]
    [InlineData("shadowserver.org", "shadowserver.org", true)]
    [InlineData("SHADOWSERVER.org.", "shadowserver.org", true)]
    [InlineData("reports.shadowserver.org", "shadowserver.org", true)]
    [InlineData("shadowserver.org", "mail.reports.shadowserver.org", true)]
    [InlineData("evilshadowserver.org", "shadowserver.org", false)]
    [InlineData("shadowserver.org.evil.example", "shadowserver.org", false)]
    [InlineData("org", "shadowserver.org", false)]
    [InlineData("xn--bcher-kva.example", "bücher.example", true)]
    [InlineData(null, "shadowserver.org", false)]
    [InlineData("shadowserver.org", null, false)]
    public void Alignment_is_equal_or_parent_or_child_never_a_bare_top_level_domain(string? authenticated, string? from, bool aligned) =>
        Assert.Equal(aligned, SenderAuthentication.Aligns(authenticated, from));

    [Theory]
    [InlineData("mx.google.com; spf=pass (google.com: domain of a@b.example designates 192.0.2.1 as permitted sender) smtp.mailfrom=a@b.example", "mx.google.com", "pass", "a@b.example")]
    [InlineData("mx.google.com 1; SPF = Fail smtp.mailfrom = \"john (not a comment) doe\"@b.example", "mx.google.com", "fail", "\"john (not a comment) doe\"@b.example")]
    [InlineData("(leading comment) mx.example.net; dkim=pass header.d=x.example; spf/1=neutral smtp.helo=h.example", "mx.example.net", "neutral", null)]
    [InlineData("mx.example.net; spf=pass smtp.mailfrom=<bounce@b.example> (comment (nested) ; with semicolon)", "mx.example.net", "pass", "<bounce@b.example>")]
    [InlineData("mx.example.net; none", "mx.example.net", null, null)]
    public void Authentication_results_are_read_leniently(string value, string id, string? spf, string? mailFrom)
    {
        var result = SenderAuthentication.ReadAuthenticationResults(value);

        Assert.NotNull(result);
        Assert.Equal(id, result.AuthServId);
        Assert.Equal(spf, result.Spf);
        Assert.Equal(mailFrom, result.MailFrom);
    }

    [Theory]
    [InlineData("spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=b.example; dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=b.example;")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\"mx.google.com\"; spf=pass")]
    public void Authentication_results_without_an_authserv_id_vouch_for_nothing(string value) =>
        Assert.Null(SenderAuthentication.ReadAuthenticationResults(value));

    [Fact]
    public async Task A_hardfail_in_the_old_spelling_is_a_fail_and_an_unknown_word_is_unknown()
    {
        var hardfail = await VerifyAsync(Prepend(Bytes(Report()), "Authentication-Results: mx.google.com; spf=hardfail smtp.mailfrom=shadowserver.org"));
        var odd = await VerifyAsync(Prepend(Bytes(Report()), "Authentication-Results: mx.google.com; spf=splendid smtp.mailfrom=shadowserver.org"));

        Assert.Equal("fail", hardfail.Spf);
        Assert.Equal("unknown", odd.Spf);
        Assert.False(odd.Aligned);
    }

    private static async Task<SenderVerdict> VerifyAsync(byte[] raw, IDkimPublicKeyLocator? keys = null, int timeoutMilliseconds = 2000)
    {
        using var stream = new MemoryStream(raw);
        var log = new ErrorLog();
        var verdict = await Authentication(keys ?? Keys, timeoutMilliseconds, log).VerifyAsync(stream, Trusted, CancellationToken.None);
        Assert.Equal(0, stream.Position);
        // An error is logged only when the last-resort catch took an exception nothing else expected: a bug.
        Assert.Empty(log.Errors);
        return verdict;
    }

    private static SenderAuthentication Authentication(IDkimPublicKeyLocator keys, int timeoutMilliseconds, ILogger<SenderAuthentication>? logger = null) =>
        new(keys, Options.Create(new AbuseDeskOptions { Dns = new DnsOptions { TimeoutMilliseconds = timeoutMilliseconds } }), logger ?? NullLogger<SenderAuthentication>.Instance);

    private sealed class ErrorLog : ILogger<SenderAuthentication>
    {
        public List<string> Errors { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error)
            {
                Errors.Add(formatter(state, exception) + " " + exception);
            }
        }
    }

    /// <summary>A Shadowserver-style report: a text part naming the host and the CSV it comes from.</summary>
    private static MimeMessage Report()
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Shadowserver Reports", "AutoReports@ShadowServer.org"));
        message.To.Add(new MailboxAddress("Abuse Desk", "abuse@desk.example"));
        message.Subject = "[Shadowserver] Open DNS Resolver Report: 2026-03-02";
        message.Date = new DateTimeOffset(2026, 3, 2, 10, 15, 0, TimeSpan.Zero);
        message.MessageId = "open-resolver-20260302-4711@shadowserver.org";
        var body = new BodyBuilder
        {
            TextBody = "Dear abuse team,\n\nthe following host in your network answered recursive DNS queries:\n\n"
                + "198.51.100.7 udp/53 first seen 2026-03-02T03:14:00Z\n\nRegards,\nThe Shadowserver Foundation\n",
        };
        body.Attachments.Add("2026-03-02-scan_dns_open_resolvers.csv",
            Encoding.ASCII.GetBytes("\"timestamp\",\"ip\",\"protocol\",\"port\"\n\"2026-03-02 03:14:00\",\"198.51.100.7\",\"udp\",53\n"),
            new ContentType("text", "csv"));
        message.Body = body.ToMessageBody();
        return message;
    }

    private static byte[] Signed(MimeMessage message, TestKey key, string domain, string selector = "sel1",
        DkimSignatureAlgorithm algorithm = DkimSignatureAlgorithm.RsaSha256, HeaderId[]? headers = null)
    {
        Sign(message, key, domain, selector, algorithm, headers);
        return Bytes(message);
    }

    private static void Sign(MimeMessage message, TestKey key, string domain, string selector = "sel1",
        DkimSignatureAlgorithm algorithm = DkimSignatureAlgorithm.RsaSha256, HeaderId[]? headers = null)
    {
        // Encoded for 7-bit first, as a sending MTA would have it: signing and sending must see the same bytes.
        message.Prepare(EncodingConstraint.SevenBit);
        using var pem = new MemoryStream(Encoding.ASCII.GetBytes(key.PrivatePem));
        var signer = new DkimSigner(pem, domain, selector, algorithm)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
        signer.Sign(message, headers ?? [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId]);
    }

    private static byte[] Bytes(MimeMessage message)
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        using var stream = new MemoryStream();
        message.WriteTo(options, stream);
        return stream.ToArray();
    }

    /// <summary>Headers added on top, as each MTA on the way adds its own.</summary>
    private static byte[] Prepend(byte[] raw, string headers) => [.. Encoding.ASCII.GetBytes(headers + "\r\n"), .. raw];

    private static byte[] Replace(byte[] raw, string from, string to)
    {
        var text = Encoding.ASCII.GetString(raw);
        Assert.Equal(1, CountOf(text, from));
        return Encoding.ASCII.GetBytes(text.Replace(from, to, StringComparison.Ordinal));
    }

    private static byte[] WithoutHeader(byte[] raw, string field)
    {
        var text = Encoding.ASCII.GetString(raw);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var lines = text[..end].Split("\r\n").Where(l => !l.StartsWith(field + ":", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Equal(text[..end].Split("\r\n").Length - 1, lines.Count);
        return Encoding.ASCII.GetBytes(string.Join("\r\n", lines) + text[end..]);
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    /// <summary>
    /// A relaxed/relaxed signature with l= over a one-part mail, made by hand (MimeKit's DkimSigner never writes l=):
    /// the body hash covers the first l bytes of the canonical body, the header hash the signed fields and the
    /// signature header with an empty b=.
    /// </summary>
    private static byte[] HandSignedWithLength(string body, TestKey key, string extraTags = "")
    {
        string[] headers = ["From: Shadowserver Reports <autoreports@shadowserver.org>", "To: abuse@desk.example", "Subject: Open DNS Resolver Report"];
        var bodyHash = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(body)));
        var tags = $"v=1; a=rsa-sha256; c=relaxed/relaxed; d=shadowserver.org; s=sel1; l={body.Length}; {extraTags}h=from:to:subject; bh={bodyHash}; b=";
        var canonical = string.Concat(headers.Select(h => h[..h.IndexOf(':', StringComparison.Ordinal)].ToLowerInvariant() + ":" + h[(h.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() + "\r\n"))
            + "dkim-signature:" + tags;
        var signature = Convert.ToBase64String(key.Rsa.SignData(Encoding.ASCII.GetBytes(canonical), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        return Encoding.ASCII.GetBytes($"DKIM-Signature: {tags}{signature}\r\n{string.Join("\r\n", headers)}\r\n\r\n{body}");
    }

    private sealed record TestKey(RSA Rsa, string PrivatePem, string Txt)
    {
        public static TestKey Create(int bits)
        {
            var rsa = RSA.Create(bits);
            return new TestKey(rsa, rsa.ExportRSAPrivateKeyPem(), "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()));
        }
    }

    /// <summary>TXT records by name, read by MimeKit's parser as the DNS locator reads them.</summary>
    private sealed class InMemoryKeys(Dictionary<string, string> records) : DkimPublicKeyLocatorBase
    {
        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            records.TryGetValue($"{selector}._domainkey.{domain}", out var txt)
                ? GetPublicKey(txt)
                : throw new DkimKeyUnavailableException(temporary: false, "no key record (NXDOMAIN)");

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            Task.FromResult(LocatePublicKey(methods, domain, selector, cancellationToken));
    }

    private sealed class ThrowingKeys : DkimPublicKeyLocatorBase
    {
        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.NetworkUnreachable);

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.NetworkUnreachable);
    }

    /// <summary>A resolver that never answers and does not listen to cancellation either.</summary>
    private sealed class SilentKeys : DkimPublicKeyLocatorBase
    {
        private readonly TaskCompletionSource<AsymmetricKeyParameter> _never = new();

        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            _never.Task.GetAwaiter().GetResult();

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            _never.Task;
    }
}
