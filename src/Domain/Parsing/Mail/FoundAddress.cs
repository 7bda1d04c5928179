namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>An IP or URL found in text: where it is, and what it names (canonical IP, URL as written).</summary>
internal readonly record struct FoundAddress(int Index, int Length, string? Ip, int? Port, string? Url);
