using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;

namespace AbuseDesk.Functions.Intake;

/// <summary>Who really sent a mail read from the abuse mailbox: the From domain, and what vouches for it.</summary>
/// <param name="FromAddress">The first From mailbox's address, lower-cased; null when there is none with a domain.</param>
/// <param name="FromDomain">Its domain, lower-cased.</param>
/// <param name="Dkim">"pass", "fail", "none" (no signature), "temperror" (the key's DNS failed or timed out) or "permerror" (a bad signature header or key).</param>
/// <param name="DkimDomain">The d= of the signature that decided: a passing one aligned with From first, then any passing one.</param>
/// <param name="Spf">From the topmost Authentication-Results header by a trusted authserv-id: "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror"; "unknown" when none says.</param>
/// <param name="SpfDomain">The smtp.mailfrom domain that header names, if any.</param>
/// <param name="Aligned">A passing DKIM d= or a passing SPF domain is the From domain, or its parent or child (relaxed, DMARC-style).</param>
/// <param name="Summary">One line for the report's notes.</param>
public sealed record SenderVerdict(
    string? FromAddress,
    string? FromDomain,
    string Dkim,
    string? DkimDomain,
    string Spf,
    string? SpfDomain,
    bool Aligned,
    string Summary)
{
    /// <summary>The sender's From domain is vouched for.</summary>
    public bool Authenticated => Aligned;
}

/// <summary>
/// Judges who sent a mail the desk read from its abuse mailbox. DKIM is verified here, with MimeKit's
/// <see cref="DkimVerifier"/> and its defaults (rsa-sha1 and RSA keys under 1024 bits are not accepted, l= is
/// honoured), each key lookup bounded by AbuseDesk:Dns:TimeoutMilliseconds. SPF cannot be checked here: the desk
/// never sees the SMTP connection, so it takes the mailbox provider's word, from an Authentication-Results header
/// whose authserv-id the caller trusts; anyone can write such a header, so no other is read, and a dkim= in it is
/// ignored: our own verification decides DKIM.
/// Everything in the mail is the sender's to choose, so nothing in it makes <see cref="VerifyAsync"/> throw: a
/// broken header, a missing From, a key that cannot be had, all end in a verdict saying so.
/// </summary>
public sealed class SenderAuthentication(IDkimPublicKeyLocator keys, IOptions<AbuseDeskOptions> options, ILogger<SenderAuthentication> logger)
{
    /// <summary>Signatures checked per mail: each hashes the whole body and may ask DNS, and a mail may carry any number.</summary>
    internal const int MaxSignatures = 5;

    /// <summary>
    /// MimeKit finds each field named in h= by scanning the headers, so h= times the header count is the cost of one
    /// signature: a real one names a few dozen fields, and a longer list is refused before it is hashed.
    /// </summary>
    internal const int MaxSignedFields = 200;

    /// <summary>A DKIM-Signature with a 4096-bit key is under 2 KB; one far longer is not worth parsing.</summary>
    internal const int MaxSignatureBytes = 16 * 1024;

    private static readonly HashSet<string> SpfResults = new(StringComparer.Ordinal) { "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror" };

    private readonly TimeSpan _lookupTimeout = TimeSpan.FromMilliseconds(options.Value.Dns.TimeoutMilliseconds);

    /// <summary>
    /// Reads the whole message (the body hash needs it) from <paramref name="rawMessage"/>, a seekable stream at the
    /// start of the raw message; leaves it at position 0 again. Throws only for a stream that cannot seek, a failing
    /// stream, or <paramref name="cancellationToken"/>.
    /// </summary>
    /// <param name="trustedAuthServIds">Authserv-ids of the mailbox provider's own MTAs, e.g. "mx.google.com".</param>
    public async Task<SenderVerdict> VerifyAsync(Stream rawMessage, IReadOnlyCollection<string> trustedAuthServIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rawMessage);
        ArgumentNullException.ThrowIfNull(trustedAuthServIds);
        if (!rawMessage.CanSeek)
        {
            throw new ArgumentException("The message stream must be seekable: it is read whole and then rewound for the caller.", nameof(rawMessage));
        }

        // A persistent message reads its body from the stream while it is judged: rewound once that is done.
        try
        {
            MimeMessage? message = null;
            try
            {
                // Persistent: the body stays in the caller's stream instead of a second copy of up to 25 MB.
                message = await MimeMessage.LoadAsync(rawMessage, persistent: true, cancellationToken);
            }
            catch (FormatException ex)
            {
                logger.LogInformation("Sender authentication: message unreadable: {Error}", ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not IOException and not ObjectDisposedException)
            {
                logger.LogError(ex, "Sender authentication could not read a message; judged unauthenticated");
            }

            using (message)
            {
                return await VerifyAsync(message, trustedAuthServIds, cancellationToken);
            }
        }
        finally
        {
            rawMessage.Position = 0;
        }
    }

    /// <summary>The verdict for a message the caller parsed already (null: it could not be parsed).</summary>
    public async Task<SenderVerdict> VerifyAsync(MimeMessage? message, IReadOnlyCollection<string> trustedAuthServIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trustedAuthServIds);
        if (message is null)
        {
            return Unreadable();
        }

        try
        {
            return await JudgeAsync(message, trustedAuthServIds, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not IOException and not ObjectDisposedException)
        {
            // The promise is a verdict for any mail. Whatever MimeKit or this class trips over in a hostile mail is
            // a bug to fix, logged as one, but it must not fail the mailbox reader's handling of that mail.
            logger.LogError(ex, "Sender authentication failed on a message; judged unauthenticated");
            return Unreadable();
        }
    }

    private async Task<SenderVerdict> JudgeAsync(MimeMessage message, IReadOnlyCollection<string> trustedAuthServIds, CancellationToken cancellationToken)
    {
        var (fromAddress, fromDomain) = FirstFrom(message);
        var fromHeaders = message.Headers.Count(h => h.Id == HeaderId.From);

        var dkim = await CheckDkimAsync(message, fromDomain, cancellationToken);
        var spf = ReadSpf(message.Headers, trustedAuthServIds);
        var spfDomain = MailFromDomain(spf?.MailFrom);
        var spfResult = SpfResult(spf?.Spf);
        var spfAligned = spfResult == "pass" && Aligns(spfDomain, fromDomain);

        // Two From fields: which one a reader is shown is up to their mail program, so neither is vouched for
        // (DMARC, RFC 7489 6.6.1, rejects such mail outright).
        var aligned = fromHeaders <= 1 && (dkim.Aligned || spfAligned);

        var summary = new StringBuilder();
        summary.Append("DKIM ").Append(dkim.Result);
        var dkimDetails = new List<string>();
        if (dkim.Domain is not null)
        {
            dkimDetails.Add("d=" + Shown(dkim.Domain));
        }

        if (dkim.Note is not null)
        {
            dkimDetails.Add(dkim.Note);
        }

        if (dkimDetails.Count > 0)
        {
            summary.Append(" (").AppendJoin("; ", dkimDetails).Append(')');
        }

        summary.Append(", SPF ").Append(spfResult);
        if (spf is null)
        {
            summary.Append(" (no trusted Authentication-Results)");
        }
        else if (spf.Spf is null)
        {
            summary.Append(" (no spf result from ").Append(Shown(spf.AuthServId)).Append(')');
        }
        else if (spfDomain is not null)
        {
            summary.Append(" (mailfrom ").Append(Shown(spfDomain)).Append(')');
        }

        summary.Append(", ");
        if (fromDomain is null)
        {
            summary.Append("no From address");
        }
        else if (fromHeaders > 1)
        {
            summary.Append("not aligned: ").Append(fromHeaders).Append(" From headers (first ").Append(Shown(fromDomain)).Append(')');
        }
        else
        {
            summary.Append(aligned ? "aligned with From " : "not aligned with From ").Append(Shown(fromDomain));
        }

        var verdict = new SenderVerdict(fromAddress, fromDomain, dkim.Result, dkim.Domain, spfResult, spfDomain, aligned, summary.ToString());
        logger.LogDebug("Sender authentication: {Summary}", verdict.Summary);
        return verdict;
    }

    private static (string? Address, string? Domain) FirstFrom(MimeMessage message)
    {
        var mailbox = message.From.Mailboxes.FirstOrDefault();
        var address = mailbox?.Address?.Trim();
        var at = address?.LastIndexOf('@') ?? -1;
        if (address is null || at <= 0 || at == address.Length - 1)
        {
            return (null, null);
        }

        var lower = address.ToLowerInvariant();
        return (lower, lower[(at + 1)..].TrimEnd('.'));
    }

    private async Task<SignatureCheck> CheckDkimAsync(MimeMessage message, string? fromDomain, CancellationToken cancellationToken)
    {
        var signatures = message.Headers.Where(h => h.Id == HeaderId.DkimSignature).ToList();
        if (signatures.Count == 0)
        {
            return new SignatureCheck("none", null, null, false);
        }

        var checks = new List<SignatureCheck>();
        foreach (var signature in signatures.Take(MaxSignatures))
        {
            cancellationToken.ThrowIfCancellationRequested();
            checks.Add(await CheckSignatureAsync(message, signature, fromDomain, cancellationToken));
        }

        // Any pass is a pass, and the one that vouches for From is the one to name. Short of one, a temperror
        // says most (asking later may pass), then a fail (a signature was there and did not hold), then a permerror.
        var decided = checks.FirstOrDefault(c => c is { Result: "pass", Aligned: true })
            ?? checks.FirstOrDefault(c => c.Result == "pass")
            ?? checks.FirstOrDefault(c => c.Result == "temperror")
            ?? checks.FirstOrDefault(c => c.Result == "fail")
            ?? checks[0];
        if (signatures.Count > MaxSignatures)
        {
            var skipped = $"{signatures.Count - MaxSignatures} more signatures not checked";
            decided = decided with { Note = decided.Note is null ? skipped : $"{decided.Note}; {skipped}" };
        }

        return decided;
    }

    private async Task<SignatureCheck> CheckSignatureAsync(MimeMessage message, Header signature, string? fromDomain, CancellationToken cancellationToken)
    {
        if (signature.RawValue.Length > MaxSignatureBytes)
        {
            return new SignatureCheck("permerror", null, "DKIM-Signature too long", false);
        }

        var tags = Tags(signature.Value);
        var domain = tags.TryGetValue("d", out var d) && DkimKeysFromDns.IsHostName(d.TrimEnd('.').ToLowerInvariant()) ? d.TrimEnd('.').ToLowerInvariant() : null;
        if (domain is null && d is not null)
        {
            // MimeKit would hash the body before it ever looked at d=, and call a mismatch a fail.
            return new SignatureCheck("permerror", null, "d= is not a domain name", false);
        }

        if (tags.TryGetValue("h", out var h) && h.Split(':').Length > MaxSignedFields)
        {
            return new SignatureCheck("permerror", domain, $"more than {MaxSignedFields} signed fields", false);
        }

        var lookup = new BoundedKeyLookup(keys, _lookupTimeout, cancellationToken);
        var verifier = new DkimVerifier(lookup);
        bool valid;
        try
        {
            valid = await verifier.VerifyAsync(FormatOptions.Default, message, signature, cancellationToken);
        }
        catch (DkimKeyUnavailableException ex)
        {
            if (ex.Temporary)
            {
                logger.LogWarning("DKIM key for d={Domain} s={Selector} not had: {Reason}", domain, tags.GetValueOrDefault("s"), ex.Message);
            }

            return new SignatureCheck(ex.Temporary ? "temperror" : "permerror", domain, ex.Message, false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (FormatException ex)
        {
            // MimeKit's word for a signature header it cannot use: a missing or doubled tag, an unknown a= or c=,
            // From not signed, i= outside d=, a b= that is not base64.
            logger.LogDebug("DKIM-Signature for d={Domain} malformed: {Error}", domain, ex.Message);
            return new SignatureCheck("permerror", domain, "malformed DKIM-Signature", false);
        }
        catch (Exception ex)
        {
            // E.g. an ed25519 signature over an RSA key: the sender's mistake, not a verdict on the message.
            logger.LogDebug(ex, "DKIM-Signature for d={Domain} not verifiable", domain);
            return new SignatureCheck("permerror", domain, "signature and key do not fit", false);
        }

        if (valid)
        {
            var notes = new List<string>();
            if (tags.TryGetValue("l", out var l))
            {
                // MimeKit honours l= (RFC 6376 allows it): text appended after the signed length does not break the
                // signature, so what the reader sees may be more than the signer signed.
                notes.Add($"l={Shown(l)}: only part of the body is signed");
            }

            if (tags.TryGetValue("x", out var x) && long.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
                && expires < DateTimeOffset.UtcNow.ToUnixTimeSeconds())
            {
                // MimeKit does not look at x=; RFC 6376 leaves it to the verifier, and an old report may be read late.
                notes.Add("expired (x=)");
            }

            return new SignatureCheck("pass", domain, notes.Count > 0 ? string.Join("; ", notes) : null, Aligns(domain, fromDomain));
        }

        // MimeKit says only false; why is told apart here, for the notes. It hashes the body before asking for the
        // key, and refuses a disabled algorithm before both.
        var why = tags.TryGetValue("a", out var a) && a.Equals("rsa-sha1", StringComparison.OrdinalIgnoreCase) && !verifier.IsEnabled(DkimSignatureAlgorithm.RsaSha1)
            ? "rsa-sha1 not accepted"
            : lookup.Key is null
                ? "body hash mismatch"
                : lookup.Key is RsaKeyParameters rsa && rsa.Modulus.BitLength < verifier.MinimumRsaKeyLength
                    ? $"RSA key of {rsa.Modulus.BitLength} bits not accepted"
                    : "signature mismatch";
        return new SignatureCheck("fail", domain, why, false);
    }

    /// <summary>DKIM tag=value pairs, leniently (the first of a doubled tag); MimeKit's own parse decides validity.</summary>
    private static Dictionary<string, string> Tags(string value)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in value.Split(';'))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                tags.TryAdd(part[..equals].Trim(), string.Concat(part[(equals + 1)..].Where(c => !char.IsWhiteSpace(c))));
            }
        }

        return tags;
    }

    /// <summary>The topmost Authentication-Results header by a trusted authserv-id; a lower one may be the sender's own.</summary>
    internal static AuthenticationResult? ReadSpf(HeaderList headers, IReadOnlyCollection<string> trustedAuthServIds)
    {
        var trusted = new HashSet<string>(trustedAuthServIds.Select(t => t.Trim().TrimEnd('.')), StringComparer.OrdinalIgnoreCase);
        if (trusted.Count == 0)
        {
            return null;
        }

        foreach (var header in headers)
        {
            if (header.Id == HeaderId.AuthenticationResults && ReadAuthenticationResults(header.Value) is { } result && trusted.Contains(result.AuthServId))
            {
                return result;
            }
        }

        return null;
    }

    /// <summary>
    /// Reads an Authentication-Results value (RFC 8601) leniently: comments dropped, quoted strings kept whole,
    /// spaces around "=" and "/" allowed, names case-insensitive. Null when it does not start with an authserv-id
    /// (Microsoft 365 writes some without one: those can vouch for nothing).
    /// </summary>
    internal static AuthenticationResult? ReadAuthenticationResults(string value)
    {
        var segments = Split(WithoutComments(value), ';');
        var id = segments.Count > 0 ? Split(segments[0], ' ') : [];
        if (id.Count == 0 || id[0].Contains('=', StringComparison.Ordinal) || id[0].Contains('"', StringComparison.Ordinal))
        {
            return null;
        }

        var authServId = id[0].TrimEnd('.').ToLowerInvariant();
        foreach (var segment in segments.Skip(1))
        {
            var tokens = Split(segment, ' ');
            if (tokens.Count == 0)
            {
                continue;
            }

            var (method, result) = Pair(tokens[0]);
            var version = method.IndexOf('/', StringComparison.Ordinal);
            if (!(version < 0 ? method : method[..version]).Equals("spf", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var mailFrom = tokens.Skip(1).Select(Pair).Where(p => p.Name.Equals("smtp.mailfrom", StringComparison.OrdinalIgnoreCase)).Select(p => Unquoted(p.Value)).FirstOrDefault();
            return new AuthenticationResult(authServId, result.ToLowerInvariant(), mailFrom);
        }

        return new AuthenticationResult(authServId, null, null);
    }

    private static string SpfResult(string? result) => result switch
    {
        null => "unknown",
        // RFC 5451's name for fail, still written by some.
        "hardfail" => "fail",
        _ when SpfResults.Contains(result) => result,
        _ => "unknown",
    };

    private static string? MailFromDomain(string? mailFrom)
    {
        if (string.IsNullOrWhiteSpace(mailFrom))
        {
            return null;
        }

        var value = mailFrom.Trim().TrimStart('<').TrimEnd('>');
        var domain = value[(value.LastIndexOf('@') + 1)..].Trim().TrimEnd('.').ToLowerInvariant();
        return DkimKeysFromDns.IsHostName(domain) ? domain : null;
    }

    /// <summary>
    /// Relaxed alignment with a simple rule for the organizational domain: equal, or one a subdomain of the other.
    /// A single label ("com") is never taken as an organization: it would make anything under it aligned.
    /// </summary>
    internal static bool Aligns(string? authenticated, string? fromDomain)
    {
        if (string.IsNullOrEmpty(authenticated) || string.IsNullOrEmpty(fromDomain))
        {
            return false;
        }

        var a = AsciiDomain(authenticated);
        var f = AsciiDomain(fromDomain);
        if (a == f)
        {
            return true;
        }

        var (shorter, longer) = a.Length < f.Length ? (a, f) : (f, a);
        return shorter.Contains('.', StringComparison.Ordinal) && longer.EndsWith("." + shorter, StringComparison.Ordinal);
    }

    /// <summary>d= is written in ASCII (A-labels); a From domain may be in Unicode.</summary>
    private static string AsciiDomain(string domain)
    {
        domain = domain.TrimEnd('.').ToLowerInvariant();
        if (domain.All(char.IsAscii))
        {
            return domain;
        }

        try
        {
            return new IdnMapping().GetAscii(domain).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return domain;
        }
    }

    private static string WithoutComments(string value)
    {
        var text = new StringBuilder(value.Length);
        var depth = 0;
        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (quoted)
            {
                text.Append(c);
                if (c == '\\' && i + 1 < value.Length)
                {
                    text.Append(value[++i]);
                }
                else if (c == '"')
                {
                    quoted = false;
                }
            }
            else if (depth > 0)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '(')
                {
                    depth++;
                }
                else if (c == ')' && --depth == 0)
                {
                    text.Append(' ');
                }
            }
            else if (c == '(')
            {
                depth = 1;
            }
            else
            {
                quoted = c == '"';
                text.Append(char.IsWhiteSpace(c) ? ' ' : c);
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Splits on <paramref name="separator"/> outside quoted strings, dropping empty parts; split on ' ', a space
    /// next to "=" or "/" does not separate ("spf = pass" is one token).
    /// </summary>
    private static List<string> Split(string text, char separator)
    {
        var parts = new List<string>();
        var part = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                part.Append(c);
                if (c == '\\' && i + 1 < text.Length)
                {
                    part.Append(text[++i]);
                }
                else if (c == '"')
                {
                    quoted = false;
                }

                continue;
            }

            if (c == separator)
            {
                if (separator == ' ')
                {
                    var next = i + 1;
                    while (next < text.Length && text[next] == ' ')
                    {
                        next++;
                    }

                    var last = part.Length > 0 ? part[^1] : '\0';
                    if (last is '=' or '/' || (next < text.Length && text[next] is '=' or '/'))
                    {
                        i = next - 1;
                        continue;
                    }
                }

                Add();
                continue;
            }

            quoted = c == '"';
            part.Append(c);
        }

        Add();
        return parts;

        void Add()
        {
            var done = part.ToString().Trim();
            if (done.Length > 0)
            {
                parts.Add(done);
            }

            part.Clear();
        }
    }

    private static (string Name, string Value) Pair(string token)
    {
        var equals = token.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (token, "") : (token[..equals], token[(equals + 1)..]);
    }

    private static string Unquoted(string value)
    {
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
        {
            return value;
        }

        var text = new StringBuilder(value.Length);
        for (var i = 1; i < value.Length - 1; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length - 1)
            {
                i++;
            }

            text.Append(value[i]);
        }

        return text.ToString();
    }

    /// <summary>A value from the mail as the one-line summary may show it: no control characters, not too long.</summary>
    private static string Shown(string value)
    {
        var shown = string.Concat(value.Select(c => char.IsControl(c) ? '?' : c));
        return shown.Length <= 100 ? shown : shown[..99] + "…";
    }

    private static SenderVerdict Unreadable() =>
        new(null, null, "none", null, "unknown", null, false, "DKIM none, SPF unknown, no From address (message unreadable)");

    internal sealed record AuthenticationResult(string AuthServId, string? Spf, string? MailFrom);

    private sealed record SignatureCheck(string Result, string? Domain, string? Note, bool Aligned);

    /// <summary>
    /// The caller's key locator, bounded by the DNS timeout whatever it does with its token, and remembering the
    /// key it gave (MimeKit's verdict is a bare bool; the key tells a weak key apart from a bad signature).
    /// Failures come out as <see cref="DkimKeyUnavailableException"/>: anything not known to be the domain's own
    /// answer is temporary.
    /// </summary>
    private sealed class BoundedKeyLookup(IDkimPublicKeyLocator inner, TimeSpan timeout, CancellationToken callerToken) : IDkimPublicKeyLocator
    {
        public AsymmetricKeyParameter? Key { get; private set; }

        // DkimVerifier.VerifyAsync only ever asks asynchronously.
        public AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            LocatePublicKeyAsync(methods, domain, selector, cancellationToken).GetAwaiter().GetResult();

        public async Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callerToken);
            bounded.CancelAfter(timeout);
            try
            {
                Key = await inner.LocatePublicKeyAsync(methods, domain, selector, bounded.Token).WaitAsync(bounded.Token)
                    ?? throw new DkimKeyUnavailableException(temporary: false, "no key");
                return Key;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !callerToken.IsCancellationRequested)
            {
                throw new DkimKeyUnavailableException(temporary: true, "key lookup timed out");
            }
            catch (FormatException ex)
            {
                // MimeKit's ParseException is a FormatException: a record that holds no usable key.
                throw new DkimKeyUnavailableException(temporary: false, "key record unreadable", ex);
            }
            catch (Exception ex) when (ex is not DkimKeyUnavailableException and not OperationCanceledException)
            {
                throw new DkimKeyUnavailableException(temporary: true, "key lookup failed", ex);
            }
        }
    }
}
