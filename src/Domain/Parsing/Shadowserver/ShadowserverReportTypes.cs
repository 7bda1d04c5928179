using System.Collections.Frozen;
using static AbuseDesk.Domain.Parsing.AbuseClass;
using static AbuseDesk.Domain.Parsing.Severity;

namespace AbuseDesk.Domain.Parsing.Shadowserver;

/// <summary>
/// Every report type Shadowserver publishes, mapped to the desk's abuse class and a severity. Names come from
/// Shadowserver's own list (The-Shadowserver-Foundation/report_schema, types.md and reports.json) plus the
/// older names still found in archived report mails (from the IntelMQ and AbuseIO Shadowserver parsers).
/// </summary>
/// <remarks>
/// Severity is the desk's view of what the customer must do, not Shadowserver's "default severity": a scan
/// report says a service is reachable, which for SSH is normal and for RDP is an invitation. A type missing
/// here still produces events (class Other, with a note), so a new Shadowserver report is never dropped.
/// </remarks>
internal static class ShadowserverReportTypes
{
    /// <summary>The table. Review it as data: one line per report type, grouped by why it maps as it does.</summary>
    public static IReadOnlyList<ShadowserverReportType> All { get; } =
    [
        // --- Scans: services that are normal to expose. The report is an inventory line; nothing to fix
        // unless the customer did not mean to expose it. Weak TLS (POODLE, FREAK) is old, low-impact crypto.
        new("scan_ssh", VulnerableService, Low),
        new("scan6_ssh", VulnerableService, Low),
        new("scan_http", VulnerableService, Low),
        new("scan6_http", VulnerableService, Low),
        new("scan_ssl", VulnerableService, Low),
        new("scan6_ssl", VulnerableService, Low),
        new("scan_smtp", VulnerableService, Low),
        new("scan6_smtp", VulnerableService, Low),
        new("scan_imap", VulnerableService, Low),
        new("scan6_imap", VulnerableService, Low),
        new("scan_pop3", VulnerableService, Low),
        new("scan6_pop3", VulnerableService, Low),
        new("scan_ftp", VulnerableService, Low),
        new("scan6_ftp", VulnerableService, Low),
        new("scan_quic", VulnerableService, Low),
        new("scan_gtp", VulnerableService, Low),
        new("scan_ssl_poodle", VulnerableService, Low),
        new("scan6_ssl_poodle", VulnerableService, Low),
        new("scan_ssl_freak", VulnerableService, Low),
        new("scan6_ssl_freak", VulnerableService, Low),
        new("ssl_scan", VulnerableService, Low), // older name of scan_ssl_poodle
        new("outdated_dnssec_key", VulnerableService, Low),
        new("outdated_dnssec_key_v6", VulnerableService, Low),

        // --- Scans: UDP services that answer a small spoofed request with a large reply. Harmless to the
        // customer, but they are the ammunition of reflection DDoS against others, so they must be closed.
        new("scan_dns", VulnerableService, Medium),
        new("scan6_dns", VulnerableService, Medium),
        new("dns_openresolver", VulnerableService, Medium), // older name of scan_dns
        new("scan_ntp", VulnerableService, Medium),
        new("scan6_ntp", VulnerableService, Medium),
        new("scan_ntpmonitor", VulnerableService, Medium),
        new("scan6_ntpmonitor", VulnerableService, Medium),
        new("scan_memcached", VulnerableService, Medium),
        new("scan_chargen", VulnerableService, Medium),
        new("scan_qotd", VulnerableService, Medium),
        new("scan_ssdp", VulnerableService, Medium),
        new("scan_snmp", VulnerableService, Medium),
        new("scan6_snmp", VulnerableService, Medium),
        new("scan_netbios", VulnerableService, Medium),
        new("scan_portmapper", VulnerableService, Medium),
        new("scan_ldap_udp", VulnerableService, Medium),
        new("scan_ldap", VulnerableService, Medium), // older name of scan_ldap_udp
        new("scan_mdns", VulnerableService, Medium),
        new("scan_coap", VulnerableService, Medium),
        new("scan_ws_discovery", VulnerableService, Medium),
        new("scan_ubiquiti", VulnerableService, Medium),
        new("scan_db2", VulnerableService, Medium),
        new("scan_dvr_dhcpdiscover", VulnerableService, Medium),
        new("scan_xdmcp", VulnerableService, Medium),
        new("scan_tftp", VulnerableService, Medium),
        new("scan_sip", VulnerableService, Medium),
        new("scan_stun", VulnerableService, Medium),
        new("scan6_stun", VulnerableService, Medium),
        new("scan_rdpeudp", VulnerableService, Medium),
        new("scan_msrdpeudp", VulnerableService, Medium), // older name of scan_rdpeudp
        new("scan_mssql", VulnerableService, Medium), // the SQL Server Browser (UDP 1434), an amplifier
        new("scan_slp", VulnerableService, Medium),
        new("scan6_slp", VulnerableService, Medium),
        new("scan_ddos_middlebox", VulnerableService, Medium),
        new("scan_loop_dos", VulnerableService, Medium),
        new("scan_isakmp", VulnerableService, Medium),
        new("scan6_isakmp", VulnerableService, Medium),
        new("scan_nat_pmp", VulnerableService, Medium),
        new("scan_net_pmp", VulnerableService, Medium), // misspelt name in early NAT-PMP reports

        // --- Scans: open relays of other people's traffic (proxies, tunnels), used to hide attacks.
        new("scan_http_proxy", VulnerableService, Medium),
        new("scan6_http_proxy", VulnerableService, Medium),
        new("scan_socks", VulnerableService, Medium),
        new("scan_ip_tunnel", VulnerableService, Medium),
        new("scan6_ip_tunnel", VulnerableService, Medium),

        // --- Scans: management, messaging and file services that should sit behind a VPN; reachable, they
        // leak data or become entry points, but need a further weakness to be taken over.
        new("scan_cwmp", VulnerableService, Medium),
        new("scan6_cwmp", VulnerableService, Medium),
        new("scan_mikrotik_service", VulnerableService, Medium),
        new("scan6_mikrotik_service", VulnerableService, Medium),
        new("scan_bgp", VulnerableService, Medium),
        new("scan6_bgp", VulnerableService, Medium),
        new("scan_epmd", VulnerableService, Medium),
        new("scan_rsync", VulnerableService, Medium),
        new("scan6_rsync", VulnerableService, Medium),
        new("scan_mqtt", VulnerableService, Medium),
        new("scan6_mqtt", VulnerableService, Medium),
        new("scan_amqp", VulnerableService, Medium),
        new("scan_activemq", VulnerableService, Medium),
        new("scan6_activemq", VulnerableService, Medium),
        new("scan_ipp", VulnerableService, Medium),
        new("scan6_ipp", VulnerableService, Medium),
        new("scan_imap_vulnerable", VulnerableService, Medium),
        new("scan6_imap_vulnerable", VulnerableService, Medium),
        new("scan_pop3_vulnerable", VulnerableService, Medium),
        new("scan6_pop3_vulnerable", VulnerableService, Medium),

        // --- Scans: remote desktops, shells, device and cluster control, and databases open to anyone.
        // These are how ransomware and botnets get in (brute force, one known exploit, no password at all).
        new("scan_rdp", VulnerableService, High),
        new("scan6_rdp", VulnerableService, High),
        new("scan_smb", VulnerableService, High),
        new("scan6_smb", VulnerableService, High),
        new("scan_telnet", VulnerableService, High),
        new("scan6_telnet", VulnerableService, High),
        new("scan_vnc", VulnerableService, High),
        new("scan6_vnc", VulnerableService, High),
        new("scan_radmin", VulnerableService, High),
        new("scan_ard", VulnerableService, High),
        new("scan_adb", VulnerableService, High),
        new("scan_ipmi", VulnerableService, High),
        new("scan_cisco_smart_install", VulnerableService, High),
        new("cisco_smart_install", VulnerableService, High), // older name of scan_cisco_smart_install
        new("scan_docker", VulnerableService, High),
        new("scan_kubernetes", VulnerableService, High),
        new("scan_hadoop", VulnerableService, High),
        new("scan_msrpc", VulnerableService, High),
        new("scan6_msrpc", VulnerableService, High),
        new("scan_ics", VulnerableService, High),
        new("scan_afp", VulnerableService, High),
        new("scan_ldap_tcp", VulnerableService, High),
        new("scan6_ldap_tcp", VulnerableService, High),
        new("scan_mongodb", VulnerableService, High),
        new("scan6_mongodb", VulnerableService, High),
        new("scan_elasticsearch", VulnerableService, High),
        new("scan6_elasticsearch", VulnerableService, High),
        new("scan_redis", VulnerableService, High),
        new("scan_couchdb", VulnerableService, High),
        new("scan_mysql", VulnerableService, High),
        new("scan6_mysql", VulnerableService, High),
        new("scan_postgres", VulnerableService, High),
        new("scan6_postgres", VulnerableService, High),
        new("scan_mqtt_anon", VulnerableService, High),
        new("scan6_mqtt_anon", VulnerableService, High),

        // --- Scans: software with a known exploitable flaw (or a backdoor) confirmed on the host.
        new("scan_exchange", VulnerableService, High),
        new("scan6_exchange", VulnerableService, High),
        new("scan_http_vulnerable", VulnerableService, High),
        new("scan6_http_vulnerable", VulnerableService, High),
        new("scan_smtp_vulnerable", VulnerableService, High),
        new("scan6_smtp_vulnerable", VulnerableService, High),
        new("scan_badsecrets", VulnerableService, High),
        new("scan6_badsecrets", VulnerableService, High),
        new("scan_netis_router", VulnerableService, High),
        new("netis_router", VulnerableService, High), // older name of scan_netis_router

        // --- Scans that find an attacker's presence rather than a weakness: a SYNful Knock implant means
        // the router is already compromised; a post-exploitation framework (Cobalt Strike, ...) or a listed
        // C2 address means the customer's host is running attack infrastructure.
        new("scan_synfulknock", Malware, High),
        new("scan_post_exploitation_framework", Botnet, Critical),
        new("cc_ip", Botnet, Critical),

        // --- Sinkholes: the host connected to a seized or registered botnet domain, so it is infected now.
        new("event4_sinkhole", Botnet, High),
        new("event6_sinkhole", Botnet, High),
        new("event4_sinkhole_http", Botnet, High),
        new("event6_sinkhole_http", Botnet, High),
        new("event4_microsoft_sinkhole", Botnet, High),
        new("event4_microsoft_sinkhole_http", Botnet, High),
        new("microsoft_sinkhole", Botnet, High),
        new("sinkhole_http_drone", Botnet, High),
        new("sinkhole6_http", Botnet, High),
        new("botnet_drone", Botnet, High),
        new("drone", Botnet, High),

        // Sinkhole DNS: the asking address is mostly a resolver answering for its users, rarely the bot itself.
        new("event4_sinkhole_dns", Botnet, Low),

        // Sinkhole referer: the reported address is a web site whose pages link to a botnet domain, i.e. a
        // site carrying injected malicious links; the row's src side is the sinkhole's visitor, not the site.
        new("event4_sinkhole_http_referer", Malware, Medium) { AddressColumn = "http_referer_ip", PortColumn = "http_referer_port" },
        new("event6_sinkhole_http_referer", Malware, Medium) { AddressColumn = "http_referer_ip", PortColumn = "http_referer_port" },

        // --- Honeypots that were logged into or guessed at: the customer's host is attacking others.
        new("event4_honeypot_brute_force", Bruteforce, High),
        new("drone_brute_force", Bruteforce, High),

        // --- Honeypots and darknets that were probed. Exploit-carrying probes are Medium; plain darknet
        // traffic includes backscatter and misconfiguration, so it is Low.
        new("event4_honeypot_http_scan", Scanning, Medium),
        new("event4_honeypot_ics_scan", Scanning, Medium),
        new("event4_honeypot_adb_scan", Scanning, Medium),
        new("event4_honeypot_ikev2_scan", Scanning, Medium),
        new("event4_honeypot_rdp_scan", Scanning, Medium),
        new("event4_honeypot_rocketmq_scan", Scanning, Medium),
        new("event4_honeypot_smb_scan", Scanning, Medium),
        new("event4_honeypot_snmp_scan", Scanning, Medium),
        new("hp_http_scan", Scanning, Medium),
        new("hp_ics_scan", Scanning, Medium),
        new("event4_honeypot_darknet", Scanning, Low),
        new("darknet", Scanning, Low),

        // --- DDoS sent from the customer's host (seen at the target, or as attack traffic at honeypots).
        new("event4_ddos_participant", Ddos, High),
        new("event4_honeypot_ddos", Ddos, High),

        // DDoS against the customer: amplification victims (the spoofed source) and targets. The customer is
        // the victim, so this is information for them, never grounds for action against them.
        new("event4_honeypot_ddos_amp", Ddos, Info),
        new("ddos_amplification", Ddos, Info),
        new("event4_honeypot_ddos_target", Ddos, Info) { AddressColumn = "dst_ip", PortColumn = "dst_port" },

        // --- A network that lets packets with forged source addresses out: not an attack by the customer,
        // but the precondition of reflection DDoS (BCP 38), a configuration to fix.
        new("event4_ip_spoofer", VulnerableService, Medium),
        new("caida_ip_spoofer", VulnerableService, Medium),

        // --- Hosts confirmed compromised. Access brokers sell that access to ransomware crews: most urgent.
        new("compromised_website", Malware, High) { NamesUrl = true },
        new("compromised_website6", Malware, High) { NamesUrl = true },
        new("compromised_iot", Malware, High),
        new("compromised_iot6", Malware, High),
        new("event4_initial_access_broker", Malware, Critical),
        new("event6_initial_access_broker", Malware, Critical),

        // --- URLs hosted at the address: the URL is the reported resource.
        new("malware_url", Malware, High) { NamesUrl = true },
        new("phish_url", Phishing, High) { NamesUrl = true },
        new("spam_url", Spam, Medium) { NamesUrl = true },
        new("sandbox_url", Malware, Medium) { NamesUrl = true },
        new("cwsandbox_url", Malware, Medium) { NamesUrl = true }, // older name of sandbox_url

        // --- Addresses malware samples talked to in a sandbox: possibly C2 or payload hosts, but samples
        // also contact time servers and CDNs, so Low. For DNS the address is the answer to the lookup.
        new("sandbox_conn", Malware, Low),
        new("sandbox_dns", Malware, Low) { AddressColumn = "response" },

        // --- Lists whose meaning varies by row (the source and reason are in the evidence).
        new("blocklist", Other, Low),
        new("blacklist", Other, Low), // older name of blocklist
        new("targeted_host", Other, Low),
        new("targeted_host6", Other, Low),
        new("special", Other, Medium), // one-off reports on a specific incident; read the row

        // --- Inventory: devices and services counted, nothing wrong found.
        new("device_id", Other, Info),
        new("device_id6", Other, Info),
        new("population_bgp", Other, Info),
        new("population6_bgp", Other, Info),
        new("population_http_proxy", Other, Info),
        new("population6_http_proxy", Other, Info),
        new("population_msmq", Other, Info),
        new("population6_msmq", Other, Info),
        new("population_isakmp", Other, Info),
        new("population6_isakmp", Other, Info),
        new("population_ntrip", Other, Info),

        // --- Reports without a network address (leaked mailbox credentials, ransomware leak-site victims):
        // kept in the table so they are named, but their files have no ip column and are refused.
        new("compromised_account", Other, Medium),
        new("ransomware_victim", Other, Info),
    ];

    private static readonly FrozenDictionary<string, ShadowserverReportType> ByName =
        All.ToFrozenDictionary(type => type.Name, StringComparer.OrdinalIgnoreCase);

    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ShadowserverReportType? type) =>
        ByName.TryGetValue(name, out type);
}
