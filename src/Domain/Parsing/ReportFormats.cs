namespace AbuseDesk.Domain.Parsing;

/// <summary>The values <see cref="ParseOutcome.Format"/> takes.</summary>
public static class ReportFormats
{
    /// <summary>An RFC 5965 Abuse Reporting Format (feedback-loop) email.</summary>
    public const string Arf = "arf";

    /// <summary><c>{"events":[...]}</c> in the contract's event shape.</summary>
    public const string JsonEvents = "json-events";

    /// <summary>
    /// A mail that is no report: a delivery-status notification, an automatic reply, an unsubscribe confirmation or a
    /// challenge-response. Kept as ignored, with the reason, and produces no events.
    /// </summary>
    public const string NotAReport = "not-a-report";

    /// <summary>Nothing recognisable; the report is kept but produces no events.</summary>
    public const string Unknown = "unknown";
}
