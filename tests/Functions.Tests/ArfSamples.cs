using System.Text;

namespace AbuseDesk.Functions.Tests;

/// <summary>ARF complaints written for these tests (documentation IP ranges only), unique per call.</summary>
public static class ArfSamples
{
    public static byte[] For(string ip, string? subject = null, string? id = null) =>
        Encoding.UTF8.GetBytes(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "arf-template.eml"))
            .Replace("{{IP}}", ip, StringComparison.Ordinal)
            .Replace("{{ID}}", id ?? Guid.NewGuid().ToString("N"), StringComparison.Ordinal)
            .Replace("{{SUBJECT}}", subject ?? "Buy cheap watches", StringComparison.Ordinal)
            .ReplaceLineEndings("\r\n"));
}
