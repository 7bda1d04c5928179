using System.Net;
using System.Text.RegularExpressions;

namespace AbuseDesk.Functions.Tests;

public sealed record PortalPage(HttpStatusCode Status, string Html);

/// <summary>A customer's browser without JavaScript: cookies kept, forms posted, redirects followed.</summary>
public sealed partial class PortalSession(DeskApp app)
{
    private readonly CookieContainer _cookies = new();

    /// <summary>
    /// Each session is its own client address, as each customer is (see PortalRateLimits): sent as X-Forwarded-For,
    /// which the suite's app trusts from loopback (DeskApp.Configure).
    /// </summary>
    private readonly string _address = Portal.PortalCases.RandomClientAddress();

    public async Task<PortalPage> OpenAsync(string url)
    {
        using var client = Client();
        using var response = await client.GetAsync(new Uri(url));
        return new PortalPage(response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<PortalPage> SubmitAsync(string url, PortalPage page, string action, string text, string? csrfOverride = null)
    {
        var csrf = csrfOverride ?? Csrf().Match(page.Html).Groups[1].Value;
        using var client = Client();
        using var response = await client.PostAsync(new Uri(url), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["csrf"] = csrf,
            ["action"] = action,
            ["text"] = text,
        }));
        return new PortalPage(response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private HttpClient Client()
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = _cookies, AllowAutoRedirect = true }) { BaseAddress = app.BaseUrl };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", _address);
        return client;
    }

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex Csrf();
}
