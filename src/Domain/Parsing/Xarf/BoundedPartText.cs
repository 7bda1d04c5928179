using System.Text;
using MimeKit;

namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>
/// Reads at most a given number of decoded bytes of a MIME part. Parts are attacker-controlled and can be
/// of any size; only what a reader needs is ever decoded.
/// </summary>
internal static class BoundedPartText
{
    public static byte[] ReadBytes(MimePart part, int maxBytes, out bool truncated)
    {
        truncated = false;
        if (part.Content is null)
        {
            return [];
        }

        using var decoded = part.Content.Open();
        using var collected = new MemoryStream();
        var buffer = new byte[Math.Min(81920, maxBytes + 1)];
        int read;
        while ((read = decoded.Read(buffer, 0, (int)Math.Min(buffer.Length, maxBytes + 1L - collected.Length))) > 0)
        {
            collected.Write(buffer, 0, read);
            if (collected.Length > maxBytes)
            {
                truncated = true;
                collected.SetLength(maxBytes);
                break;
            }
        }

        return collected.ToArray();
    }

    public static string ReadText(MimePart part, int maxBytes, out bool truncated) =>
        EncodingOf(part).GetString(ReadBytes(part, maxBytes, out truncated));

    /// <summary>The declared charset, or UTF-8 when there is none or it is unknown.</summary>
    private static Encoding EncodingOf(MimePart part)
    {
        try
        {
            return part.ContentType.CharsetEncoding ?? Encoding.UTF8;
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentException)
        {
            return Encoding.UTF8;
        }
    }
}
