using System.Security.Cryptography;
using System.Text;
using AbuseDesk.Domain.Cases;

namespace AbuseDesk.Domain.Feedback;

/// <summary>What became of one reported event, in the words the report API gives the reporter.</summary>
public static class EventOutcomes
{
    public const string Open = "open";
    public const string Resolved = "resolved";
    public const string Closed = "closed";
    public const string Terminated = "terminated";
    public const string Pending = "pending";

    /// <summary>
    /// Unrouted events say why ("unrouted: not our network"); routed ones follow their case: open while the playbook
    /// runs (whatever step), then how it ended. A routed event whose case is not readable yet is pending.
    /// </summary>
    public static string For(string? unroutedReason, CaseStatus? caseStatus) =>
        unroutedReason is not null ? "unrouted: " + UnroutedReasons.PlainWords(UnroutedReasons.CodeOf(unroutedReason))
        : caseStatus is not { } status ? Pending
        : status switch
        {
            CaseStatus.Resolved => Resolved,
            CaseStatus.Closed => Closed,
            CaseStatus.Terminated => Terminated,
            _ => Open,
        };

    /// <summary>
    /// A reference to the case of an event, for this report only: events with the same reference are one case. Keyed,
    /// because case ids derive from the customer and resource and a reporter could otherwise test guesses against them;
    /// and per report, so two reporters cannot tell they hit the same customer.
    /// </summary>
    public static string CaseReference(string reportId, string caseId, byte[] key)
    {
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"reporter-case-ref|{reportId}|{caseId}"));
        return "c-" + Convert.ToHexStringLower(mac, 0, 6);
    }
}
