using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Parsing;

public class EvidenceExcerptTests
{
    [Fact]
    public void Builds_name_value_lines_and_skips_empty_values()
    {
        var evidence = new EvidenceExcerpt().Add("A", "one").Add("B", "  ").Add("C", null).AddHeading("Reported:").Add("D", "two").Build();

        Assert.Equal("A: one\nReported:\nD: two", evidence);
    }

    [Fact]
    public void Nothing_added_builds_null()
    {
        Assert.Null(new EvidenceExcerpt().Build());
    }

    [Theory]
    [InlineData("a\r\nb", "a b")]
    [InlineData("  a \t\t b  ", "a b")]
    [InlineData("a\u202Eb\u200Bc", "abc")]
    [InlineData("a\0b", "a b")]
    public void Flattens_values_to_one_clean_line(string value, string expected)
    {
        Assert.Equal(expected, EvidenceExcerpt.Flatten(value));
    }

    [Fact]
    public void Long_values_are_shortened_without_splitting_a_surrogate_pair()
    {
        var value = new string('a', 8) + "😀" + new string('b', 10);

        var flattened = EvidenceExcerpt.Flatten(value, 10);

        Assert.Equal(new string('a', 8) + "…", flattened);
    }
}
