namespace AbuseDesk.Functions.Storage;

/// <summary>Keys of the numbered rows of a partition (history, mails, outbox), in order within their prefix.</summary>
public static class RowKeys
{
    /// <summary>"{prefix}{sequence:D6}": a prefix range ("h|" to "h}") lists them in sequence.</summary>
    public static string Numbered(string prefix, int sequence) => $"{prefix}{sequence:D6}";
}
