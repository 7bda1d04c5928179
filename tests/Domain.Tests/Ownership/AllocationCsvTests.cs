using System.Net.Sockets;
using AbuseDesk.Domain.Notifications;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Domain.Tests.Ownership;

public class AllocationCsvTests
{
    private const string Header = "cidr,customerId,resourceId,contactEmail,customerSince";
    private const string GoodRow = "198.51.100.0/24,cust-1,vm-1,noc@cust1.example,2021-03-04";

    private static AllocationCsv.Result Parse(params string[] lines) =>
        AllocationCsv.Parse(new StringReader(string.Join("\n", lines)), MailLanguages.ForImport);

    private static string SingleError(AllocationCsv.Result result)
    {
        Assert.False(result.Ok);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void A_valid_file_yields_every_allocation_in_order()
    {
        var result = Parse(
            Header,
            "198.51.100.0/24,cust-1,vm-1,noc@cust1.example,2021-03-04",
            "203.0.113.7/32,cust_2,host.2,abuse@cust2.example,2026-11-20",
            "2001:db8:42::/48,Cust.3,rack-3,ops+abuse@cust3.example,1999-12-31",
            "198.51.100.128/25,cust-4,vm-4,a@b.c,2020-02-29");

        Assert.True(result.Ok, string.Join("; ", result.Errors));
        Assert.Empty(result.Errors);
        Assert.Collection(
            result.Allocations,
            a =>
            {
                Assert.Equal("198.51.100.0/24", a.Prefix.ToString());
                Assert.Equal("cust-1", a.CustomerId);
                Assert.Equal("vm-1", a.ResourceId);
                Assert.Equal("noc@cust1.example", a.ContactEmail);
                Assert.Equal(new DateOnly(2021, 3, 4), a.CustomerSince);
            },
            a =>
            {
                Assert.Equal("203.0.113.7/32", a.Prefix.ToString());
                Assert.Equal("cust_2", a.CustomerId);
                Assert.Equal("host.2", a.ResourceId);
                Assert.Equal(new DateOnly(2026, 11, 20), a.CustomerSince);
            },
            a =>
            {
                Assert.Equal(AddressFamily.InterNetworkV6, a.Prefix.Family);
                Assert.Equal("2001:db8:42::/48", a.Prefix.ToString());
                Assert.Equal("Cust.3", a.CustomerId);
                Assert.Equal("ops+abuse@cust3.example", a.ContactEmail);
                Assert.Equal(new DateOnly(1999, 12, 31), a.CustomerSince);
            },
            a =>
            {
                // Nested inside the first block: allowed, longest prefix wins at lookup.
                Assert.Equal("198.51.100.128/25", a.Prefix.ToString());
                Assert.Equal(new DateOnly(2020, 2, 29), a.CustomerSince);
            });
    }

    [Fact]
    public void A_header_only_file_is_refused_rather_than_emptying_the_table()
    {
        var result = Parse(Header);

        Assert.False(result.Ok);
        Assert.Contains("no allocations", Assert.Single(result.Errors));
    }

    [Fact]
    public void The_header_is_matched_case_insensitively_and_fields_are_trimmed()
    {
        var result = Parse(
            " CIDR , CustomerId,RESOURCEID ,contactemail,customersince ",
            " 198.51.100.0/24 ,  cust-1 , vm-1 ,  noc@cust1.example , 2021-03-04  ");

        Assert.True(result.Ok, string.Join("; ", result.Errors));
        var allocation = Assert.Single(result.Allocations);
        Assert.Equal("cust-1", allocation.CustomerId);
        Assert.Equal("vm-1", allocation.ResourceId);
        Assert.Equal("noc@cust1.example", allocation.ContactEmail);
    }

    [Fact]
    public void CRLF_line_endings_are_read_like_LF()
    {
        var result = AllocationCsv.Parse(new StringReader($"{Header}\r\n{GoodRow}\r\n2001:db8::/32,cust-2,vm-2,x@y.z,2020-01-01\r\n"), MailLanguages.ForImport);

        Assert.True(result.Ok, string.Join("; ", result.Errors));
        Assert.Equal(2, result.Allocations.Count);
        Assert.Equal(new DateOnly(2021, 3, 4), result.Allocations[0].CustomerSince);
    }

    [Fact]
    public void Comments_and_blank_lines_are_skipped_anywhere_but_still_count_for_line_numbers()
    {
        var result = Parse(
            "# exported from the IPAM on 2026-11-20",
            "",
            Header,
            "   ",
            "# the first customer",
            GoodRow,
            "  # indented comment",
            "",
            "203.0.113.0/24,cust-2,vm-2,bad-email,2021-03-04");

        Assert.Single(result.Allocations);
        Assert.Equal("line 9: contactEmail 'bad-email' is not an email address", SingleError(result));
    }

    [Fact]
    public void Quoted_fields_are_unquoted()
    {
        var result = Parse(
            "\"cidr\",\"customerId\",\"resourceId\",\"contactEmail\",\"customerSince\"",
            "\"198.51.100.0/24\",\"cust-1\",\"vm-1\",\"noc@cust1.example\",\"2021-03-04\"",
            "\"2001:db8::/32\",cust-2,\"vm-2\",x@y.z,2022-01-01");

        Assert.True(result.Ok, string.Join("; ", result.Errors));
        Assert.Equal(["cust-1", "cust-2"], result.Allocations.Select(a => a.CustomerId));
        Assert.Equal("198.51.100.0/24", result.Allocations[0].Prefix.ToString());
    }

    [Fact]
    public void A_comma_inside_quotes_stays_in_its_field()
    {
        // Five fields, not six: the comma belongs to the resource id (which is then refused as an identifier).
        var error = SingleError(Parse(Header, "198.51.100.0/24,cust-1,\"vm,1\",noc@cust1.example,2021-03-04"));

        Assert.Equal("line 2: resourceId 'vm,1' must be 1-64 letters, digits, '-', '_' or '.'", error);
    }

    [Fact]
    public void A_doubled_quote_inside_quotes_is_one_quote()
    {
        var error = SingleError(Parse(Header, "198.51.100.0/24,\"cust\"\"1\",vm-1,noc@cust1.example,2021-03-04"));

        Assert.Equal("line 2: customerId 'cust\"1' must be 1-64 letters, digits, '-', '_' or '.'", error);
    }

    [Theory]
    [InlineData("198.51.100.0/24,cust-1,vm-1,noc@cust1.example", "expected 5 fields, found 4")]
    [InlineData("198.51.100.0/24,cust-1,vm-1,noc@cust1.example,2021-03-04,", "expected 5 fields, found 6")]
    [InlineData("198.51.100.0/24", "expected 5 fields, found 1")]
    [InlineData("\"198.51.100.0/24,cust-1,vm-1,noc@cust1.example,2021-03-04", "expected 5 fields, found 1")]
    [InlineData("198.51.100.0/33,cust-1,vm-1,noc@cust1.example,2021-03-04", "'198.51.100.0/33' is not a CIDR block (prefix length must be 0-32)")]
    [InlineData("198.51.100.1/24,cust-1,vm-1,noc@cust1.example,2021-03-04", "'198.51.100.1/24' has host bits set; did you mean 198.51.100.0/24?")]
    [InlineData("2001:db8::1/32,cust-1,vm-1,noc@cust1.example,2021-03-04", "'2001:db8::1/32' has host bits set; did you mean 2001:db8::/32?")]
    [InlineData("somewhere/24,cust-1,vm-1,noc@cust1.example,2021-03-04", "'somewhere/24' is not a CIDR block (bad address)")]
    [InlineData(",cust-1,vm-1,noc@cust1.example,2021-03-04", "CIDR is empty")]
    [InlineData("198.51.100.0/24,,vm-1,noc@cust1.example,2021-03-04", "customerId '' must be 1-64 letters, digits, '-', '_' or '.'")]
    [InlineData("198.51.100.0/24,cust 1,vm-1,noc@cust1.example,2021-03-04", "customerId 'cust 1' must be 1-64 letters, digits, '-', '_' or '.'")]
    [InlineData("198.51.100.0/24,cust/1,vm-1,noc@cust1.example,2021-03-04", "customerId 'cust/1' must be 1-64 letters, digits, '-', '_' or '.'")]
    [InlineData("198.51.100.0/24,cüst,vm-1,noc@cust1.example,2021-03-04", "customerId 'cüst' must be 1-64 letters, digits, '-', '_' or '.'")]
    [InlineData("198.51.100.0/24,cust-1,,noc@cust1.example,2021-03-04", "resourceId '' must be 1-64 letters, digits, '-', '_' or '.'")]
    [InlineData("198.51.100.0/24,cust-1,vm|1,noc@cust1.example,2021-03-04", "resourceId 'vm|1' must be 1-64 letters, digits, '-', '_' or '.'")]
    [InlineData("198.51.100.0/24,cust-1,vm#1,noc@cust1.example,2021-03-04", "resourceId 'vm#1' must be 1-64 letters, digits, '-', '_' or '.'")]
    [InlineData("198.51.100.0/24,cust-1,vm-1,,2021-03-04", "contactEmail '' is not an email address")]
    [InlineData("198.51.100.0/24,cust-1,vm-1,noc.cust1.example,2021-03-04", "contactEmail 'noc.cust1.example' is not an email address")]
    [InlineData("198.51.100.0/24,cust-1,vm-1,@cust1.example,2021-03-04", "contactEmail '@cust1.example' is not an email address")]
    [InlineData("198.51.100.0/24,cust-1,vm-1,noc@,2021-03-04", "contactEmail 'noc@' is not an email address")]
    [InlineData("198.51.100.0/24,cust-1,vm-1,noc@a@b,2021-03-04", "contactEmail 'noc@a@b' is not an email address")]
    [InlineData("198.51.100.0/24,cust-1,vm-1,no c@cust1.example,2021-03-04", "contactEmail 'no c@cust1.example' is not an email address")]
    [InlineData("198.51.100.0/24,cust-1,vm-1,bad..dots@cust1.example,2021-03-04", "contactEmail 'bad..dots@cust1.example' is not an email address")]
    [InlineData("198.51.100.0/24,cust-1,vm-1,noc@localhost,2021-03-04", "contactEmail 'noc@localhost' is not an email address")]
    [InlineData("198.51.100.0/24,cust-1,vm-1,\"a@cust1.example, b@cust1.example\",2021-03-04", "contactEmail 'a@cust1.example, b@cust1.example' is not one email address: it lists several addresses or a group")]
    [InlineData("198.51.100.0/24,cust-1,vm-1,Alice <alice@cust1.example>,2021-03-04", "contactEmail 'Alice <alice@cust1.example>' is not one email address: give the bare address (name@example.org), without a display name, comment, quotes, angle brackets or address literal")]
    [InlineData("198.51.100.0/24,cust-1,vm-1,noc@cust1.example\u0000Bcc: x@evil.example,2021-03-04", "contactEmail 'noc@cust1.example\\u0000Bcc: x@evil.example' is not one email address: it contains a line break or another control character")]
    [InlineData("198.51.100.0/24,cust-1,vm-1,noc@cust1.example,", "customerSince '' must be a date (yyyy-MM-dd)")]
    [InlineData("198.51.100.0/24,cust-1,vm-1,noc@cust1.example,2021-13-01", "customerSince '2021-13-01' must be a date (yyyy-MM-dd)")]
    [InlineData("198.51.100.0/24,cust-1,vm-1,noc@cust1.example,2021-02-29", "customerSince '2021-02-29' must be a date (yyyy-MM-dd)")]
    [InlineData("198.51.100.0/24,cust-1,vm-1,noc@cust1.example,04/03/2021", "customerSince '04/03/2021' must be a date (yyyy-MM-dd)")]
    [InlineData("198.51.100.0/24,cust-1,vm-1,noc@cust1.example,2021-03-04T00:00:00Z", "customerSince '2021-03-04T00:00:00Z' must be a date (yyyy-MM-dd)")]
    public void Each_kind_of_bad_row_is_reported_with_its_line_number(string row, string problem)
    {
        var result = Parse(Header, GoodRow.Replace("198.51.100.0/24", "192.0.2.0/24", StringComparison.Ordinal), row);

        Assert.Equal($"line 3: {problem}", SingleError(result));
    }

    [Fact]
    public void Identifiers_are_limited_to_64_characters()
    {
        var ok = Parse(Header, $"198.51.100.0/24,{new string('c', 64)},{new string('r', 64)},noc@cust1.example,2021-03-04");
        var tooLong = Parse(Header, $"198.51.100.0/24,{new string('c', 65)},vm-1,noc@cust1.example,2021-03-04");

        Assert.True(ok.Ok, string.Join("; ", ok.Errors));
        Assert.StartsWith("line 2: customerId 'ccc", SingleError(tooLong), StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_block_names_both_lines()
    {
        var result = Parse(
            Header,
            GoodRow,
            "203.0.113.0/24,cust-2,vm-2,x@y.z,2020-01-01",
            "198.51.100.0/24,cust-3,vm-3,x@y.z,2020-01-01");

        Assert.Equal("line 4: 198.51.100.0/24 is already allocated on line 2", SingleError(result));
    }

    [Fact]
    public void A_duplicate_is_found_however_the_block_is_written()
    {
        var result = Parse(
            Header,
            "2001:db8::/32,cust-1,vm-1,x@y.z,2020-01-01",
            "2001:0DB8:0:0::/32,cust-2,vm-2,x@y.z,2020-01-01",
            "192.0.2.0/24,cust-3,vm-3,x@y.z,2020-01-01",
            "::ffff:192.0.2.0/120,cust-4,vm-4,x@y.z,2020-01-01");

        Assert.False(result.Ok);
        Assert.Equal(
            ["line 3: 2001:db8::/32 is already allocated on line 2", "line 5: 192.0.2.0/24 is already allocated on line 4"],
            result.Errors);
    }

    [Fact]
    public void The_same_network_with_different_lengths_is_not_a_duplicate()
    {
        var result = Parse(
            Header,
            "10.0.0.0/8,cust-1,vm-1,x@y.z,2020-01-01",
            "10.0.0.0/16,cust-2,vm-2,x@y.z,2020-01-01",
            "0.0.0.0/0,cust-3,vm-3,x@y.z,2020-01-01",
            "::/0,cust-4,vm-4,x@y.z,2020-01-01");

        Assert.True(result.Ok, string.Join("; ", result.Errors));
        Assert.Equal(4, result.Allocations.Count);
    }

    [Fact]
    public void Every_bad_row_is_reported_and_the_import_as_a_whole_is_not_ok()
    {
        var result = Parse(
            Header,
            GoodRow,
            "203.0.113.1/24,cust-2,vm-2,x@y.z,2020-01-01",
            "2001:db8::/32,cust-3,vm-3,x@y.z,2020-01-01",
            "",
            "2001:db8::/32,cust-4,vm-4,x@y.z,2020-01-01",
            "192.0.2.0/24,cust-5,vm-5,x@y.z,yesterday",
            "192.0.2.128/25,cust-6,vm-6,x@y.z,2020-01-01");

        Assert.False(result.Ok);
        Assert.Equal(
        [
            "line 3: '203.0.113.1/24' has host bits set; did you mean 203.0.113.0/24?",
            "line 6: 2001:db8::/32 is already allocated on line 4",
            "line 7: customerSince 'yesterday' must be a date (yyyy-MM-dd)",
        ], result.Errors);
    }

    [Fact]
    public void One_bad_row_among_many_good_ones_makes_the_import_not_ok()
    {
        var lines = new List<string> { Header };
        for (var i = 0; i < 200; i++)
        {
            lines.Add($"10.{i}.0.0/16,cust-{i},vm-{i},x@y.z,2020-01-01");
        }

        lines.Insert(150, "10.250.0.0/16,cust-x,vm-x,x@y.z,2020-02-30");
        var result = Parse([.. lines]);

        Assert.False(result.Ok);
        Assert.Equal("line 151: customerSince '2020-02-30' must be a date (yyyy-MM-dd)", Assert.Single(result.Errors));
    }

    [Fact]
    public void Error_reporting_stops_after_the_limit()
    {
        var lines = new List<string> { Header };
        for (var i = 0; i < AllocationCsv.MaxErrorsReported + 20; i++)
        {
            lines.Add($"10.{i}.0.1/16,cust-{i},vm-{i},x@y.z,2020-01-01");
        }

        var result = Parse([.. lines]);

        Assert.False(result.Ok);
        Assert.Equal(AllocationCsv.MaxErrorsReported + 1, result.Errors.Count);
        Assert.Equal($"line {AllocationCsv.MaxErrorsReported + 2}: stopped after {AllocationCsv.MaxErrorsReported} errors", result.Errors[^1]);
        Assert.StartsWith("line 2: ", result.Errors[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cidr,customerId,resourceId,contactEmail")]
    [InlineData("cidr,customerId,resourceId,contactEmail,customerSince,extra")]
    [InlineData("customerId,cidr,resourceId,contactEmail,customerSince")]
    [InlineData("cidr;customerId;resourceId;contactEmail;customerSince")]
    [InlineData("network,customer,resource,email,since")]
    public void A_wrong_header_rejects_the_file(string header)
    {
        var result = Parse(header, GoodRow);

        Assert.Empty(result.Allocations);
        Assert.Equal("line 1: header must be 'cidr,customerId,resourceId,contactEmail,customerSince'", SingleError(result));
    }

    [Fact]
    public void A_missing_header_is_reported_on_the_first_data_line()
    {
        var result = Parse("# allocations", GoodRow, "203.0.113.0/24,cust-2,vm-2,x@y.z,2020-01-01");

        Assert.Empty(result.Allocations);
        Assert.Equal("line 2: header must be 'cidr,customerId,resourceId,contactEmail,customerSince'", SingleError(result));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("# only a comment\n   \n")]
    public void An_empty_file_is_an_error(string text)
    {
        var result = AllocationCsv.Parse(new StringReader(text), MailLanguages.ForImport);

        Assert.Empty(result.Allocations);
        Assert.Equal("line 1: the file is empty; header must be 'cidr,customerId,resourceId,contactEmail,customerSince'", SingleError(result));
    }

    [Fact]
    public void An_optional_language_column_sets_the_customers_mail_language_with_English_for_empty_cells()
    {
        var result = Parse(
            Header + ",language",
            "198.51.100.0/24,cust-1,vm-1,noc@cust1.example,2021-03-04,de",
            "203.0.113.0/24,cust-2,vm-2,noc@cust2.example,2021-03-04,",
            "2001:db8:42::/48,cust-3,vm-3,noc@cust3.example,2021-03-04, EN ");

        Assert.True(result.Ok, string.Join("; ", result.Errors));
        Assert.Equal(["de", "en", "en"], result.Allocations.Select(a => a.Language));
    }

    [Fact]
    public void Without_the_language_column_every_customer_gets_English()
    {
        var result = Parse(Header, GoodRow);

        Assert.Equal("en", Assert.Single(result.Allocations).Language);
    }

    [Fact]
    public void An_unknown_language_rejects_the_file_naming_the_line()
    {
        var result = Parse(
            Header + ",Language",
            "198.51.100.0/24,cust-1,vm-1,noc@cust1.example,2021-03-04,de",
            "203.0.113.0/24,cust-2,vm-2,noc@cust2.example,2021-03-04,klingon");

        Assert.Equal("line 3: language 'klingon' is not one of de, en (leave it empty for en)", SingleError(result));
    }

    [Fact]
    public void With_the_language_column_a_row_may_leave_the_language_out_but_not_add_more()
    {
        var result = Parse(Header + ",language", GoodRow, "203.0.113.0/24,cust-2,vm-2,noc@cust2.example,2021-03-04,de,extra");

        Assert.Equal("line 3: expected 6 fields, found 7", SingleError(result));
        Assert.Equal("en", Assert.Single(result.Allocations).Language);
    }

    [Fact]
    public void Without_the_language_column_a_sixth_field_is_an_error()
    {
        var result = Parse(Header, GoodRow + ",de");

        Assert.Equal("line 2: expected 5 fields, found 6", SingleError(result));
    }
}
