using AbuseDesk.Domain.Parsing;
using AbuseDesk.Domain.Parsing.Shadowserver;

namespace AbuseDesk.Domain.Tests.Parsing.Shadowserver;

public class EvidenceLineTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("  padded  value ")]
    [InlineData("tab\tand\r\nbreaks")]
    [InlineData("bidi\u202Eoverride\u200Bzero width\u00ADsoft")]
    [InlineData("nbsp\u00A0and\u2028line sep\u0085nel")]
    [InlineData("\u0001\u0002")]
    [InlineData("   ")]
    [InlineData("emoji 😀 and ü")]
    public void Values_are_flattened_exactly_as_evidence_excerpts_are(string value)
    {
        Assert.Equal(EvidenceExcerpt.Flatten(value), Flatten(value));
    }

    [Fact]
    public void Random_values_are_flattened_exactly_as_evidence_excerpts_are()
    {
        var random = new Random(99);
        var alphabet = "aZ09 ,;=\t\r\n\u0000\u007F\u00A0\u00AD\u200B\u202E\u2028ü😀".ToCharArray();
        for (var round = 0; round < 2000; round++)
        {
            var chars = new char[random.Next(0, 1100)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[random.Next(alphabet.Length)];
            }

            var value = new string(chars);
            Assert.Equal(EvidenceExcerpt.Flatten(value), Flatten(value));
        }
    }

    [Theory]
    [InlineData(511)]
    [InlineData(512)]
    [InlineData(513)]
    [InlineData(2000)]
    public void Long_values_are_cut_as_evidence_excerpts_cut_them(int length)
    {
        var value = new string('v', length);

        Assert.Equal(EvidenceExcerpt.Flatten(value), Flatten(value));
    }

    private static string Flatten(string value)
    {
        var destination = new char[EvidenceLine.MaxValueLength];
        return new string(destination, 0, EvidenceLine.Flatten(value, destination));
    }
}
