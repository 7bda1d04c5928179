namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>An address a complaint names, where it was found, and the text around it.</summary>
internal sealed record ComplaintAddress(string? Ip, int? Port, string? Url, string FoundIn, string Context);
