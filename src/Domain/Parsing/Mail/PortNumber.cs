using System.Globalization;

namespace AbuseDesk.Domain.Parsing.Mail;

internal static class PortNumber
{
    /// <summary>A TCP/UDP port 1-65535 written in decimal; null for anything else.</summary>
    public static int? Read(string? text)
    {
        var value = text?.Trim();
        return value is { Length: > 0 and <= 5 }
            && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is >= 1 and <= 65535
            ? port
            : null;
    }
}
