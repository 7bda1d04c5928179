namespace AbuseDesk.Functions.Storage;

/// <summary>
/// Table keys are compared as strings, so "every key starting with P" is the range [P, After(P)): P with its
/// last character incremented. Used for a case's rows of one kind ("h|", "e|", "o|") and a report's event
/// partitions ("{reportId}-").
/// </summary>
public static class KeyRange
{
    public static string After(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);
}
