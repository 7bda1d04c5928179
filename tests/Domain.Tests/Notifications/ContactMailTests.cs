using AbuseDesk.Domain.Notifications;

namespace AbuseDesk.Domain.Tests.Notifications;

public class ContactMailTests
{
    private static readonly DateTimeOffset Expires = new(2026, 12, 9, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_confirmation_names_the_new_address_the_account_and_the_link_and_when_it_expires()
    {
        var mail = ContactMail.ComposeConfirmation("cust-7", "noc@customer.example", "https://desk.example/portal/contact/cust-7/s3cr3t", Expires);

        Assert.Equal("[AbuseDesk] Confirm noc@customer.example as your abuse contact", mail.Subject);
        Assert.Contains("https://desk.example/portal/contact/cust-7/s3cr3t", mail.Text, StringComparison.Ordinal);
        Assert.Contains("2026-12-09 06:00 UTC", mail.Text, StringComparison.Ordinal);
        Assert.Contains("cust-7", mail.Text, StringComparison.Ordinal);
        Assert.Contains("href=\"https://desk.example/portal/contact/cust-7/s3cr3t\"", mail.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_word_to_the_old_address_says_who_changed_it()
    {
        var byCustomer = ContactMail.ComposeChanged("cust-7", "old@customer.example", "new@customer.example", byOps: false);
        var byOps = ContactMail.ComposeChanged("cust-7", "old@customer.example", "new@customer.example", byOps: true, "de");

        Assert.Equal("[AbuseDesk] Your abuse contact is now new@customer.example", byCustomer.Subject);
        Assert.Contains("no longer to old@customer.example", byCustomer.Text, StringComparison.Ordinal);
        Assert.Contains("confirmed from new@customer.example", byCustomer.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("portal/contact", byCustomer.Text, StringComparison.Ordinal);
        Assert.Contains("Unser Abuse-Team hat diese Änderung vorgenommen", byOps.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Addresses_are_escaped_in_the_html_part()
    {
        var mail = ContactMail.ComposeChanged("cust-<b>", "\"<x>\"@customer.example", "new@customer.example", byOps: true);

        Assert.DoesNotContain("<x>", mail.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("cust-<b>", mail.Html, StringComparison.Ordinal);
        Assert.Contains("&lt;x&gt;", mail.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_that_is_no_absolute_http_url_is_refused() =>
        Assert.Throws<ArgumentException>(() => ContactMail.ComposeConfirmation("cust-7", "noc@customer.example", "javascript:alert(1)", Expires));
}
