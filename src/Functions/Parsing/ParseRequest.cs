namespace AbuseDesk.Functions.Parsing;

/// <summary>The reports-parse message: parse this stored report.</summary>
public sealed record ParseRequest(string ReportId);
