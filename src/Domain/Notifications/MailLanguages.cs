namespace AbuseDesk.Domain.Notifications;

/// <summary>
/// The languages customers can get their mail in: one per template folder (Templates/{code}/), so adding a
/// folder is all it takes to offer another. Anything unknown or empty falls back to English.
/// </summary>
public static class MailLanguages
{
    public const string Default = "en";

    public static IReadOnlyList<string> Known => MailTemplates.Languages;

    public static bool IsKnown(string? language) =>
        language is not null && Known.Contains(language.Trim().ToLowerInvariant(), StringComparer.Ordinal);

    /// <summary>What the allocation import (<see cref="Ownership.AllocationCsv"/>) accepts in its language column.</summary>
    public static (IReadOnlyList<string> Known, string Default) ForImport => (Known, Default);

    public static string Normalize(string? language) =>
        IsKnown(language) ? language!.Trim().ToLowerInvariant() : Default;
}
