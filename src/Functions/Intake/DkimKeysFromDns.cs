using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Options;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace AbuseDesk.Functions.Intake;

/// <summary>
/// DKIM public keys from DNS: the TXT record <c>{selector}._domainkey.{domain}</c>, asked of the servers in
/// AbuseDesk:Dns like <see cref="Ownership.HostLookup"/> asks them, its strings joined and read by MimeKit's
/// <see cref="DkimPublicKeyLocatorBase.GetPublicKey"/>. Keys found are kept for their TTL, at most
/// <see cref="DnsOptions.MaxCacheSeconds"/>, and at most <see cref="MaxCachedKeys"/> of them: domain and selector
/// come from the mail, so a flood of made-up selectors must not grow the cache without end.
/// A key that cannot be had throws <see cref="DkimKeyUnavailableException"/>, saying whether asking again later
/// could help (timeout, SERVFAIL) or not (NXDOMAIN, no usable record), which is DKIM's temperror or permerror.
/// </summary>
public sealed class DkimKeysFromDns : DkimPublicKeyLocatorBase
{
    internal const int MaxCachedKeys = 1000;

    private readonly LookupClient _client;
    private readonly TimeSpan _maxCacheAge;
    private readonly TimeProvider _clock;
    private readonly ILogger<DkimKeysFromDns> _logger;
    private readonly Dictionary<string, CachedKey> _cache = new(StringComparer.Ordinal);
    private readonly Lock _cacheLock = new();

    public DkimKeysFromDns(IOptions<AbuseDeskOptions> options, TimeProvider clock, ILogger<DkimKeysFromDns> logger)
    {
        // Built the way HostLookup builds its client, so both ask the same servers with the same patience; only
        // DnsClient's own cache is off, because it is unbounded in count and this class keeps parsed keys instead.
        var dns = options.Value.Dns;
        var servers = dns.Servers.Select(s => DnsOptions.ParseServer(s)!).ToArray();
        var lookupOptions = servers.Length > 0 ? new LookupClientOptions(servers) : new LookupClientOptions();
        lookupOptions.Timeout = TimeSpan.FromMilliseconds(dns.TimeoutMilliseconds);
        lookupOptions.Retries = 1;
        lookupOptions.UseCache = false;
        lookupOptions.ThrowDnsErrors = false;
        lookupOptions.ContinueOnDnsError = false;
        // Long keys (2048 bits and up) can make an answer too big for UDP.
        lookupOptions.UseTcpFallback = true;
        _client = new LookupClient(lookupOptions);
        _maxCacheAge = TimeSpan.FromSeconds(dns.MaxCacheSeconds);
        _clock = clock;
        _logger = logger;
    }

    public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default)
    {
        var name = KeyName(methods, domain, selector);
        if (Cached(name) is { } key)
        {
            return key;
        }

        IDnsQueryResponse response;
        try
        {
            response = _client.Query(name, QueryType.TXT, QueryClass.IN);
        }
        catch (DnsResponseException ex)
        {
            throw Unreachable(name, ex);
        }

        return FromAnswer(name, response);
    }

    public override async Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
    {
        var name = KeyName(methods, domain, selector);
        if (Cached(name) is { } key)
        {
            return key;
        }

        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(name, QueryType.TXT, QueryClass.IN, cancellationToken);
        }
        catch (DnsResponseException ex)
        {
            throw Unreachable(name, ex);
        }

        return FromAnswer(name, response);
    }

    /// <summary>The name to ask, or a permanent failure for a method or name DNS cannot be asked about.</summary>
    internal static string KeyName(string? methods, string? domain, string? selector)
    {
        // q= is a colon-separated list; "dns/txt" is the only method ever defined, and the default.
        if (!string.IsNullOrEmpty(methods) && !methods.Split(':').Any(m => m.Trim() is var method
            && (method.Equals("dns/txt", StringComparison.OrdinalIgnoreCase) || method.Equals("dns", StringComparison.OrdinalIgnoreCase))))
        {
            throw new DkimKeyUnavailableException(temporary: false, "no supported key query method (q=)");
        }

        var name = $"{selector}._domainkey.{domain?.TrimEnd('.')}".ToLowerInvariant();
        if (string.IsNullOrEmpty(selector) || string.IsNullOrEmpty(domain) || !IsHostName(name))
        {
            throw new DkimKeyUnavailableException(temporary: false, "selector or domain is not a DNS name");
        }

        return name;
    }

    /// <summary>
    /// Letters, digits, hyphens and underscores in labels of 1 to 63 characters, 253 in all: what DNS can be asked
    /// about. Anything else in a signature is the sender's error, and must not reach the resolver.
    /// </summary>
    internal static bool IsHostName(string name)
    {
        if (name.Length is 0 or > 253)
        {
            return false;
        }

        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private AsymmetricKeyParameter FromAnswer(string name, IDnsQueryResponse response)
    {
        if (response.HasError)
        {
            // NXDOMAIN is the domain's own answer that no such key exists; anything else (SERVFAIL, REFUSED) may pass.
            var missing = response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain;
            _logger.LogDebug("DKIM key {Name}: {Error}", name, response.ErrorMessage);
            throw new DkimKeyUnavailableException(temporary: !missing, missing ? "no key record (NXDOMAIN)" : $"DNS error {response.Header.ResponseCode}");
        }

        var records = response.Answers.TxtRecords().ToList();
        if (records.Count == 0)
        {
            throw new DkimKeyUnavailableException(temporary: false, "no key record (no TXT)");
        }

        // A record may be split into several strings (one string holds at most 255 bytes, a 2048-bit key does
        // not fit); they are one text. Of several records, the first that holds a key is taken.
        foreach (var record in records)
        {
            var text = string.Concat(record.Text);
            try
            {
                var key = GetPublicKey(text);
                Remember(name, key, TimeSpan.FromSeconds(Math.Max(0, record.InitialTimeToLive)));
                return key;
            }
            catch (Exception ex)
            {
                // Whatever the record holds is the domain's to fix: a revoked key (p= empty), an unknown k=, bad base64.
                _logger.LogDebug("DKIM key {Name}: unreadable record: {Error}", name, ex.Message);
            }
        }

        throw new DkimKeyUnavailableException(temporary: false, "key record unreadable or revoked");
    }

    private DkimKeyUnavailableException Unreachable(string name, DnsResponseException ex)
    {
        // Timeouts and unreachable servers: DnsClient reports them as a response exception with a code.
        _logger.LogWarning("DNS lookup of DKIM key {Name} failed: {Error}", name, ex.Code);
        return new DkimKeyUnavailableException(temporary: true, ex.Code == DnsResponseCode.ConnectionTimeout ? "key lookup timed out" : $"key lookup failed ({ex.Code})", ex);
    }

    private AsymmetricKeyParameter? Cached(string name)
    {
        lock (_cacheLock)
        {
            if (_cache.TryGetValue(name, out var cached))
            {
                if (cached.Expires > _clock.GetUtcNow())
                {
                    return cached.Key;
                }

                _cache.Remove(name);
            }

            return null;
        }
    }

    internal void Remember(string name, AsymmetricKeyParameter key, TimeSpan ttl)
    {
        var age = ttl < _maxCacheAge ? ttl : _maxCacheAge;
        if (age <= TimeSpan.Zero)
        {
            return;
        }

        var now = _clock.GetUtcNow();
        lock (_cacheLock)
        {
            if (_cache.Count >= MaxCachedKeys && !_cache.ContainsKey(name))
            {
                foreach (var expired in _cache.Where(c => c.Value.Expires <= now).Select(c => c.Key).ToList())
                {
                    _cache.Remove(expired);
                }

                if (_cache.Count >= MaxCachedKeys)
                {
                    // Still full of live keys: the one that would go soonest makes room.
                    _cache.Remove(_cache.MinBy(c => c.Value.Expires).Key);
                }
            }

            _cache[name] = new CachedKey(key, now + age);
        }
    }

    /// <summary>How many keys are held now (tests check the bound).</summary>
    internal int CachedCount
    {
        get
        {
            lock (_cacheLock)
            {
                return _cache.Count;
            }
        }
    }

    private sealed record CachedKey(AsymmetricKeyParameter Key, DateTimeOffset Expires);
}

/// <summary>
/// A DKIM key that could not be had. <see cref="Temporary"/>: asking again later may find it (DKIM temperror);
/// otherwise the signing domain published none, or none usable (permerror). <see cref="Exception.Message"/> is a
/// short fixed phrase, safe to show: it never quotes what the DNS answer or the mail held.
/// </summary>
public sealed class DkimKeyUnavailableException(bool temporary, string reason, Exception? inner = null) : Exception(reason, inner)
{
    public bool Temporary { get; } = temporary;
}
