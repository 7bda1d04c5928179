using AbuseDesk.Functions.Feedback;
using AbuseDesk.Functions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Tests.Feedback;

/// <summary>AbuseDesk:Feedback as the app binds it (<see cref="DeskServices.AddAbuseDesk"/>): a bad window is refused, not run with.</summary>
public sealed class FeedbackOptionsTests
{
    private static FeedbackOptions Bind(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value));
        builder.AddAbuseDesk();
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<FeedbackOptions>>().Value;
    }

    [Fact]
    public void By_default_feedback_is_gathered_over_a_quarter_of_an_hour() =>
        Assert.Equal(TimeSpan.FromMinutes(15), Bind().Window);

    [Fact]
    public void A_window_is_read_from_configuration() =>
        Assert.Equal(TimeSpan.FromHours(1), Bind(("AbuseDesk:Feedback:Window", "01:00:00")).Window);

    [Theory]
    [InlineData("AbuseDesk:Feedback:Window", "00:00:00")]
    [InlineData("AbuseDesk:Feedback:Window", "2.00:00:00")]
    [InlineData("AbuseDesk:Feedback:MaxReportsPerMail", "0")]
    [InlineData("AbuseDesk:Feedback:MaxReportsPerMail", "500")]
    public void A_bad_setting_is_refused(string key, string value)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind((key, value)));
        Assert.Contains(key.Split(':')[^1], error.Message, StringComparison.Ordinal);
    }
}
