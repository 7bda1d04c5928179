namespace AbuseDesk.Functions.Cases;

/// <summary>
/// What the provider's platform receives on the suspensions queue (and, when configured, as a signed webhook):
/// act on this resource, for this case, for this reason. <see cref="MessageId"/> is stable per decision so the
/// platform can drop a duplicate delivery.
/// </summary>
public sealed record PlatformMessage(string MessageId, string CaseId, string CustomerId, string ResourceId, string? Ip, string Action, string Reason, DateTimeOffset At);
