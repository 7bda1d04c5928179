using AbuseDesk.Domain.Cases;
using DnsClient;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Ownership;

/// <summary>
/// Looks up the A and AAAA records of reported hosts with DnsClient against the configured servers: a timeout per
/// query, one retry, answers cached within their TTL (at most <see cref="DnsOptions.MaxCacheSeconds"/>). Only DNS is
/// asked; a reported URL is never fetched. Failures are answers too ("NXDOMAIN", "timed out"), never exceptions:
/// a host that does not resolve leaves its events unrouted, it does not fail the report.
/// </summary>
public sealed class HostLookup
{
    private readonly LookupClient _client;
    private readonly TimeProvider _clock;
    private readonly ILogger<HostLookup> _logger;

    public HostLookup(IOptions<AbuseDeskOptions> options, TimeProvider clock, ILogger<HostLookup> logger)
    {
        var dns = options.Value.Dns;
        var servers = dns.Servers.Select(s => DnsOptions.ParseServer(s)!).ToArray();
        var lookupOptions = servers.Length > 0 ? new LookupClientOptions(servers) : new LookupClientOptions();
        lookupOptions.Timeout = TimeSpan.FromMilliseconds(dns.TimeoutMilliseconds);
        lookupOptions.Retries = 1;
        lookupOptions.UseCache = dns.MaxCacheSeconds > 0;
        lookupOptions.MaximumCacheTimeout = TimeSpan.FromSeconds(Math.Max(1, dns.MaxCacheSeconds));
        lookupOptions.ThrowDnsErrors = false;
        lookupOptions.ContinueOnDnsError = false;
        lookupOptions.UseTcpFallback = true;
        _client = new LookupClient(lookupOptions);
        _clock = clock;
        _logger = logger;
    }

    public async Task<HostAnswer> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var a = QueryAsync(host, QueryType.A, cancellationToken);
        var aaaa = QueryAsync(host, QueryType.AAAA, cancellationToken);
        var (v4, v4Error) = await a;
        var (v6, v6Error) = await aaaa;
        var addresses = v4.Concat(v6).Distinct(StringComparer.Ordinal).Take(HostAnswer.MaxAddresses).ToList();
        return new HostAnswer(host, addresses, _clock.GetUtcNow(), addresses.Count > 0 ? null : v4Error ?? v6Error ?? "no address");
    }

    private async Task<(IReadOnlyList<string> Addresses, string? Error)> QueryAsync(string host, QueryType type, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.QueryAsync(host, type, QueryClass.IN, cancellationToken);
            if (response.HasError)
            {
                return ([], response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain ? "NXDOMAIN" : response.ErrorMessage);
            }

            IEnumerable<string> found = type == QueryType.A
                ? response.Answers.ARecords().Select(r => r.Address.ToString())
                : response.Answers.AaaaRecords().Select(r => r.Address.ToString());
            return (found.ToList(), null);
        }
        catch (DnsResponseException ex)
        {
            // Timeouts and unreachable servers: DnsClient reports them as a response exception with a code.
            _logger.LogWarning("DNS lookup of {Host} ({Type}) failed: {Error}", host, type, ex.Code);
            return ([], ex.Code == DnsResponseCode.ConnectionTimeout ? "timed out" : ex.Code.ToString());
        }
    }
}
