namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>One XARF v3 ReportClass/ReportType pair: what the report is about and how the desk classes it.</summary>
internal sealed record XarfV3TypeRule(XarfV3Subject Subject, AbuseClass AbuseClass, Severity Severity);
