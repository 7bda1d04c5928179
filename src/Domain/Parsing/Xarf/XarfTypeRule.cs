namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>
/// What one XARF report type means for the desk: the abuse class its cases are grouped under, how bad
/// it is, and the fields the specification requires for it (besides the ones every report carries).
/// </summary>
internal sealed record XarfTypeRule(AbuseClass AbuseClass, Severity Severity, params string[] Required);
