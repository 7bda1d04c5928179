using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AbuseDesk.Domain.Portal;

public enum TokenCheck
{
    Valid,
    /// <summary>Unknown key, bad signature, bad shape: answer 404 and reveal nothing.</summary>
    Invalid,
    /// <summary>Genuine but past its expiry: answer 410 so the customer knows to ask for a new link.</summary>
    Expired,
    /// <summary>Genuine and unexpired, but issued before ops withdrew the case's links: 410, use the newest mail.</summary>
    Revoked,
}

/// <summary>
/// What a token says once its signature checks out. <see cref="IssuedAt"/> is null for v1 links, which did not
/// carry it.
/// </summary>
public sealed record TokenResult(TokenCheck Check, string? CaseId, DateTimeOffset? ExpiresAt, DateTimeOffset? IssuedAt = null)
{
    /// <summary>
    /// Applies the case's revocation mark: every link issued at or before it is withdrawn. A v1 link has no issue
    /// time, so any revocation withdraws it (the safe reading: ops asked for old links to stop working).
    /// </summary>
    public TokenResult RevokedBy(DateTimeOffset? revokedBefore) =>
        Check == TokenCheck.Valid && revokedBefore is { } mark && (IssuedAt is not { } issued || issued <= mark)
            ? this with { Check = TokenCheck.Revoked }
            : this;
}

/// <summary>
/// The customer's link. v2: <c>v2.{keyId}.{caseId}.{issuedUnixMs}.{expiresUnix}.{signature}</c>; v1 (still
/// accepted, no longer issued): <c>v1.{keyId}.{caseId}.{expiresUnix}.{signature}</c>. The signature is an
/// HMAC-SHA256 over everything before it. The key id lets keys rotate: old links verify while their key is still
/// listed. The issue time (in milliseconds, so a mail sent right after a revocation is already newer than it)
/// lets ops withdraw every link issued up to a moment without touching keys shared by all cases.
/// One token opens exactly one case; nothing in it is secret except that it cannot be forged.
/// </summary>
public static class CaseLinkToken
{
    private const string V1 = "v1";
    private const string V2 = "v2";

    /// <summary>The end of year 9999: DateTimeOffset.FromUnixTime* throws beyond it.</summary>
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    /// <summary>A v2 link, the kind mails carry.</summary>
    public static string Create(string caseId, DateTimeOffset issuedAt, DateTimeOffset expiresAt, string keyId, byte[] key)
    {
        CheckIds(caseId, keyId);
        var payload = string.Create(CultureInfo.InvariantCulture,
            $"{V2}.{keyId}.{caseId}.{issuedAt.ToUnixTimeMilliseconds()}.{expiresAt.ToUnixTimeSeconds()}");
        return $"{payload}.{Sign(payload, key)}";
    }

    /// <summary>A v1 link, as mails before revocation carried them; kept so those can be made in tests and tools.</summary>
    public static string Create(string caseId, DateTimeOffset expiresAt, string keyId, byte[] key)
    {
        CheckIds(caseId, keyId);
        var payload = string.Create(CultureInfo.InvariantCulture, $"{V1}.{keyId}.{caseId}.{expiresAt.ToUnixTimeSeconds()}");
        return $"{payload}.{Sign(payload, key)}";
    }

    public static TokenResult Verify(string? token, IReadOnlyDictionary<string, byte[]> keys, DateTimeOffset now)
    {
        var invalid = new TokenResult(TokenCheck.Invalid, null, null);
        if (string.IsNullOrEmpty(token) || token.Length > 512)
        {
            return invalid;
        }

        var parts = token.Split('.');
        long issued = 0;
        var shaped = parts switch
        {
            [V1, _, _, _, _] => true,
            [V2, _, _, var issuedText, _, _] => Number(issuedText, MaxUnixMilliseconds, out issued),
            _ => false,
        };
        if (!shaped || !keys.TryGetValue(parts[1], out var key) || !Number(parts[^2], MaxUnixMilliseconds / 1000, out var expires))
        {
            return invalid;
        }

        var payload = token[..token.LastIndexOf('.')];
        var expected = Encoding.ASCII.GetBytes(Sign(payload, key));
        var given = Encoding.ASCII.GetBytes(parts[^1]);
        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return invalid;
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(expires);
        DateTimeOffset? issuedAt = parts[0] == V2 ? DateTimeOffset.FromUnixTimeMilliseconds(issued) : null;
        return new TokenResult(now >= expiresAt ? TokenCheck.Expired : TokenCheck.Valid, parts[2], expiresAt, issuedAt);
    }

    /// <summary>A value bound to one token, for the portal's anti-forgery field: only someone who has the page has it.</summary>
    public static string FormSecret(string token, byte[] key) => Sign("csrf|" + token, key);

    private static void CheckIds(string caseId, string keyId)
    {
        if (caseId.Contains('.', StringComparison.Ordinal) || keyId.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException("case and key ids may not contain '.'");
        }
    }

    /// <summary>Digits only, in range: "+1", "01"-style respellings still fail the signature, but "-1" never parses.</summary>
    private static bool Number(string text, long max, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= max;

    private static string Sign(string payload, byte[] key) =>
        Base64Url(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(payload)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
