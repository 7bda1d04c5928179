using System.Security.Cryptography;
using AbuseDesk.Domain.Portal;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Portal;

/// <summary>Signs and checks the customer's case links with the configured keys (rotatable by key id).</summary>
public sealed class CaseLinks
{
    private readonly AbuseDeskOptions _options;
    private readonly TimeProvider _clock;

    public CaseLinks(IOptions<AbuseDeskOptions> options, TimeProvider clock, ILogger<CaseLinks> logger)
    {
        _options = options.Value;
        _clock = clock;
        var keys = _options.Tokens.Keys.ToDictionary(k => k.Key, k => Convert.FromBase64String(k.Value));
        if (keys.Count == 0)
        {
            // Without a configured key links die with the process; fine for a quick try, wrong for anything else.
            logger.LogWarning("No AbuseDesk:Tokens:Keys configured: using a random key; customer links stop working on restart");
            keys[_options.Tokens.ActiveKeyId] = RandomNumberGenerator.GetBytes(32);
        }

        if (!keys.ContainsKey(_options.Tokens.ActiveKeyId))
        {
            throw new InvalidOperationException($"AbuseDesk:Tokens:ActiveKeyId '{_options.Tokens.ActiveKeyId}' is not among AbuseDesk:Tokens:Keys");
        }

        if (keys.Values.Any(k => k.Length < 32))
        {
            throw new InvalidOperationException("AbuseDesk:Tokens:Keys must be base64 secrets of at least 32 bytes");
        }

        Keys = keys;
    }

    public IReadOnlyDictionary<string, byte[]> Keys { get; }

    public byte[] ActiveKey => Keys[_options.Tokens.ActiveKeyId];

    /// <summary>A v2 link: it carries its issue time, so a revocation withdraws it and spares later mails' links.</summary>
    public string CreateToken(string caseId)
    {
        var now = _clock.GetUtcNow();
        return CaseLinkToken.Create(caseId, now, now + _options.Tokens.LinkLifetime, _options.Tokens.ActiveKeyId, ActiveKey);
    }

    public string PortalUrl(string caseId) => $"{_options.PublicUrl.TrimEnd('/')}/portal/cases/{CreateToken(caseId)}";

    public TokenResult Verify(string token) => CaseLinkToken.Verify(token, Keys, _clock.GetUtcNow());

    public string FormSecret(string token, string cookie) => CaseLinkToken.FormSecret(token + "|" + cookie, ActiveKey);
}
