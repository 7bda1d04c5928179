namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>What a person's complaint mail names and what it says the abuse is, as read by <see cref="ComplaintReader"/>.</summary>
internal sealed class Complaint(IReadOnlyList<ComplaintAddress> addresses, AbuseClass abuseClass, bool capped)
{
    public IReadOnlyList<ComplaintAddress> Addresses { get; } = addresses;

    public AbuseClass AbuseClass { get; } = abuseClass;

    /// <summary>More addresses were named than are kept.</summary>
    public bool Capped { get; } = capped;
}
