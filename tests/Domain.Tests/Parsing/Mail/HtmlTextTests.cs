using AbuseDesk.Domain.Parsing.Mail;

namespace AbuseDesk.Domain.Tests.Parsing.Mail;

public class HtmlTextTests
{
    [Fact]
    public void Keeps_text_and_link_targets_and_drops_markup_scripts_and_styles()
    {
        var text = HtmlText.ToText("<p>Hi &amp; bye<br>see <a href=\"http://x.example/?a=1&amp;b=2\">here</a></p><script>alert('192.0.2.1')</script><style>a{}</style><!-- 192.0.2.2 -->&#65;");

        Assert.Contains("Hi & bye\nsee", text, StringComparison.Ordinal);
        Assert.Contains(" http://x.example/?a=1&b=2 ", text, StringComparison.Ordinal);
        Assert.EndsWith("A", text, StringComparison.Ordinal);
        Assert.DoesNotContain("192.0.2.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("alert", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Unterminated_tags_and_entities_do_not_stall()
    {
        var html = string.Concat(Enumerable.Repeat("<<a href='", 50_000)) + string.Concat(Enumerable.Repeat("&", 50_000));

        var text = HtmlText.ToText(html);

        Assert.True(text.Length <= html.Length);
    }
}
