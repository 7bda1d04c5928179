using AbuseDesk.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AbuseDesk.Functions.Tests.Hosting;

/// <summary>What of a request may be written down: paths with the portal token replaced by a short marker, no query values.</summary>
public sealed class RedactedTests
{
    private const string Token = "v2.k1.20261204-997516e9715a.1764860000000.1767452000.Qm9ndXMtc2lnbmF0dXJlLXZhbHVl";

    [Theory]
    [InlineData("/portal/cases/" + Token)]
    [InlineData("/PORTAL/Cases/" + Token)]
    [InlineData("/portal/cases/" + Token + "/")]
    public void A_portal_path_keeps_its_route_and_loses_its_token(string path)
    {
        var redacted = Redacted.Path(new PathString(path));

        Assert.DoesNotContain(Token, redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("Qm9ndXMtc2lnbmF0dXJlLXZhbHVl", redacted, StringComparison.Ordinal);
        Assert.Matches("^/portal/cases/\\{token:[0-9a-f]{8}\\}/?$", redacted);
    }

    [Fact]
    public void The_marker_tells_links_apart_without_revealing_them()
    {
        var one = Redacted.Path(new PathString("/portal/cases/" + Token));
        var again = Redacted.Path(new PathString("/portal/cases/" + Token));
        var other = Redacted.Path(new PathString("/portal/cases/" + Token + "x"));

        Assert.Equal(one, again);
        Assert.NotEqual(one, other);
    }

    [Theory]
    [InlineData("/api/ops/cases/20261204-997516e9715a")]
    [InlineData("/api/reports")]
    [InlineData("/portal/assets/portal.css")]
    [InlineData("/portal/cases")]
    [InlineData("")]
    public void Other_paths_are_kept_as_they_are(string path) =>
        Assert.Equal(path, Redacted.Path(new PathString(path)));

    [Fact]
    public void Query_values_are_never_kept()
    {
        var redacted = Redacted.Query(new QueryString("?code=ops-secret&done=fixed&flag"));

        Assert.Equal("?code=Redacted&done=Redacted&flag", redacted);
        Assert.Equal("", Redacted.Query(QueryString.Empty));
    }

    [Fact]
    public async Task A_failure_on_a_portal_route_is_logged_with_the_marker_not_the_token()
    {
        var lines = new List<string>();
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(new ListLoggerProvider(lines)));
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = "/portal/cases/" + Token;
        context.Request.QueryString = new QueryString("?code=ops-secret");

        var result = await new HttpEndpoint(factory.CreateLogger<HttpEndpoint>()).RunAsync(context.Request,
            new Func<Task<IResult>>(() => throw new InvalidOperationException("storage said no")));

        Assert.Equal(StatusCodes.Status500InternalServerError, Assert.IsAssignableFrom<IStatusCodeHttpResult>(result).StatusCode);
        var logged = string.Join('\n', lines);
        Assert.Contains("/portal/cases/{token:", logged, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, logged, StringComparison.Ordinal);
        Assert.DoesNotContain("ops-secret", logged, StringComparison.Ordinal);
    }

    /// <summary>Each log line as text, with the scopes it was written in.</summary>
    private sealed class ListLoggerProvider(List<string> lines) : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ILogger CreateLogger(string categoryName) => new ListLogger(lines, () => _scopes);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class ListLogger(List<string> lines, Func<IExternalScopeProvider> scopes) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => scopes().Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var line = new List<string> { $"{logLevel}: {formatter(state, exception)} {exception}" };
                scopes().ForEachScope((scope, all) => all.Add("=> " + scope), line);
                lock (lines)
                {
                    lines.Add(string.Join(' ', line));
                }
            }
        }
    }
}
