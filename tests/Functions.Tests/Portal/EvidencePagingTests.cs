using System.Net;
using System.Text.RegularExpressions;
using static AbuseDesk.Functions.Tests.Cases.EvidenceReports;

namespace AbuseDesk.Functions.Tests.Portal;

/// <summary>
/// The case page shows the evidence a page at a time, newest first, with "Older reports" links that carry only a
/// position: the case always comes from the signed link. Beyond the kept events the page says how many more
/// were counted and shows the most recent distinct ones. Everything from a report is shown as text.
/// </summary>
[Collection(DeskCollection.Name)]
public sealed partial class EvidencePagingTests(DeskApp app)
{
    [Fact]
    public async Task The_case_page_pages_through_the_evidence_and_summarises_what_was_only_counted()
    {
        var (_, caseId) = await PostAsync(app, Json(5, 0, 1050));
        var link = await PortalCases.LinkFromMailAsync(app, "evidence-5@customer.test", caseId, 1);
        var portal = new PortalSession(app);

        var page = await portal.OpenAsync(link);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("1050", page.Html);
        Assert.Contains("First seen", page.Html);
        Assert.Contains("2026-11-01 00:00 UTC", page.Html);
        Assert.Contains("2026-11-01 17:29 UTC", page.Html); // event 1049, the last seen
        Assert.Contains("50 more reports", page.Html);
        // The sample: the most recent distinct reports, beyond the kept ones.
        Assert.Contains($"ev-1049 {Encoded}", Section(page.Html, "more-reports"));
        AssertEscaped(page.Html);

        var seen = new List<int>();
        var pages = 0;
        while (true)
        {
            var listed = Listed(page.Html);
            Assert.InRange(listed.Count, 1, 50);
            seen.AddRange(listed);
            pages++;
            var older = OlderLink().Match(page.Html);
            if (!older.Success || pages > 30)
            {
                break;
            }

            var href = WebUtility.HtmlDecode(older.Groups["href"].Value);
            Assert.StartsWith("/portal/cases/", href);
            page = await portal.OpenAsync(new Uri(app.BaseUrl, href).ToString());
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.Contains("Back to the newest reports", page.Html);
            AssertEscaped(page.Html);
        }

        Assert.Equal(20, pages);
        Assert.Equal(Enumerable.Range(0, 1000).Reverse(), seen);
    }

    [Fact]
    public async Task A_paging_position_never_shows_another_case_and_a_mangled_one_shows_the_newest_page()
    {
        var (_, mine) = await PostAsync(app, Json(6, 0, 120, i => $"mine-{i} {Hostile}"));
        var (_, other) = await PostAsync(app, Json(4, 100, 400, i => $"other-{i} {Hostile}"));
        Assert.NotEqual(mine, other);
        var link = await PortalCases.LinkFromMailAsync(app, "evidence-6@customer.test", mine, 1);
        var portal = new PortalSession(app);

        // Positions that exist in the other (bigger) case, or in none.
        foreach (var position in new[] { "0.0", "2.5", "3.0", "99999999.0", "../../x", "1.100", "-1.0" })
        {
            var page = await portal.OpenAsync($"{link}?evidence={Uri.EscapeDataString(position)}");
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.Contains(mine, page.Html);
            Assert.DoesNotContain("other-", page.Html);
            Assert.DoesNotContain(other, page.Html);
            Assert.DoesNotContain("<script", page.Html, StringComparison.OrdinalIgnoreCase);
        }

        var mangled = await portal.OpenAsync($"{link}?evidence=..%2F..%2Fx");
        Assert.Equal(Enumerable.Range(70, 50).Reverse(), Listed(mangled.Html, "mine"));
    }

    private const string Encoded = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;";

    private static void AssertEscaped(string html)
    {
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(Encoded, html);
    }

    /// <summary>The event numbers listed in the page's evidence list (not the sample), in page order.</summary>
    private static List<int> Listed(string html, string prefix = "ev")
    {
        var list = html[html.IndexOf("<ol class=\"events\">", StringComparison.Ordinal)..];
        list = list[..list.IndexOf("</ol>", StringComparison.Ordinal)];
        return Regex.Matches(list, $"<pre class=\"evidence\" tabindex=\"0\">{prefix}-(\\d+) ")
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }

    private static string Section(string html, string id) => html[html.IndexOf($"id=\"{id}\"", StringComparison.Ordinal)..];

    [GeneratedRegex("<a rel=\"next\" href=\"(?<href>[^\"]+)\">Older reports</a>")]
    private static partial Regex OlderLink();
}
