namespace AbuseDesk.Domain.Ownership;

/// <summary>A block of the provider's address space and who it belongs to; <paramref name="Language"/> is the customer's mail language.</summary>
public sealed record Allocation(IpPrefix Prefix, string CustomerId, string ResourceId, string ContactEmail, DateOnly CustomerSince, string Language = "en");
