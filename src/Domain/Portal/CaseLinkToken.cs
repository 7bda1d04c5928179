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
}

public sealed record TokenResult(TokenCheck Check, string? CaseId, DateTimeOffset? ExpiresAt);

/// <summary>
/// The customer's link: <c>v1.{keyId}.{caseId}.{expiresUnix}.{signature}</c>, the signature an HMAC-SHA256
/// over everything before it. The key id lets keys rotate: old links verify while their key is still listed.
/// One token opens exactly one case; nothing in it is secret except that it cannot be forged.
/// </summary>
public static class CaseLinkToken
{
    private const string Version = "v1";

    public static string Create(string caseId, DateTimeOffset expiresAt, string keyId, byte[] key)
    {
        if (caseId.Contains('.', StringComparison.Ordinal) || keyId.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException("case and key ids may not contain '.'");
        }

        var payload = string.Create(CultureInfo.InvariantCulture, $"{Version}.{keyId}.{caseId}.{expiresAt.ToUnixTimeSeconds()}");
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
        if (parts.Length != 5 || parts[0] != Version || !keys.TryGetValue(parts[1], out var key)
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return invalid;
        }

        var payload = token[..token.LastIndexOf('.')];
        var expected = Encoding.ASCII.GetBytes(Sign(payload, key));
        var given = Encoding.ASCII.GetBytes(parts[4]);
        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return invalid;
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(expires);
        return now >= expiresAt
            ? new TokenResult(TokenCheck.Expired, parts[2], expiresAt)
            : new TokenResult(TokenCheck.Valid, parts[2], expiresAt);
    }

    /// <summary>A value bound to one token, for the portal's anti-forgery field: only someone who has the page has it.</summary>
    public static string FormSecret(string token, byte[] key) => Sign("csrf|" + token, key);

    private static string Sign(string payload, byte[] key) =>
        Base64Url(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(payload)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
