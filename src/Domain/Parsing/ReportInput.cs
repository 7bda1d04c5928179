namespace AbuseDesk.Domain.Parsing;

/// <summary>
/// What the intake knows about a raw report besides its bytes: the declared content type (parameters
/// such as charset are allowed), and for feed files the file name and the report type the reporter named.
/// </summary>
public sealed record ReportInput(string ContentType, string? FileName = null, string? ReportTypeHint = null);
