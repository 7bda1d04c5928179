using AbuseDesk.Domain.Portal;

namespace AbuseDesk.Domain.Tests.Portal;

public class CaseLinkTokenTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Expiry = Now.AddDays(30);
    private static readonly byte[] KeyA = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] KeyB = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
    private static readonly Dictionary<string, byte[]> Keys = new() { ["k1"] = KeyA };

    private const string CaseId = "20261120-0123456789ab";

    private static string Token(string caseId = CaseId, string keyId = "k1", byte[]? key = null, DateTimeOffset? expiresAt = null) =>
        CaseLinkToken.Create(caseId, expiresAt ?? Expiry, keyId, key ?? KeyA);

    private static void AssertInvalid(TokenResult result)
    {
        Assert.Equal(TokenCheck.Invalid, result.Check);
        Assert.Null(result.CaseId);
        Assert.Null(result.ExpiresAt);
    }

    private static string ReplacePart(string token, int index, string value)
    {
        var parts = token.Split('.');
        parts[index] = value;
        return string.Join('.', parts);
    }

    [Fact]
    public void A_fresh_token_verifies_and_opens_its_case()
    {
        var token = Token();

        var result = CaseLinkToken.Verify(token, Keys, Now);

        Assert.Equal(new TokenResult(TokenCheck.Valid, CaseId, Expiry), result);
    }

    [Fact]
    public void The_token_has_the_documented_shape_and_is_url_safe()
    {
        var token = Token();

        var parts = token.Split('.');
        Assert.Equal(5, parts.Length);
        Assert.Equal("v1", parts[0]);
        Assert.Equal("k1", parts[1]);
        Assert.Equal(CaseId, parts[2]);
        Assert.Equal(Expiry.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), parts[3]);
        Assert.Equal(43, parts[4].Length); // 32-byte HMAC in unpadded base64url
        Assert.Matches("^[A-Za-z0-9._-]+$", token);
    }

    [Fact]
    public void Create_is_deterministic_and_depends_on_every_input()
    {
        var token = Token();

        Assert.Equal(token, Token());
        Assert.NotEqual(token, Token(caseId: "20261120-0123456789ac"));
        Assert.NotEqual(token, Token(expiresAt: Expiry.AddSeconds(1)));
        Assert.NotEqual(token, Token(keyId: "k2"));
        Assert.NotEqual(token.Split('.')[4], Token(key: KeyB).Split('.')[4]);
    }

    [Fact]
    public void A_token_is_valid_until_its_expiry_and_expired_from_then_on()
    {
        var token = Token();

        Assert.Equal(TokenCheck.Valid, CaseLinkToken.Verify(token, Keys, Expiry.AddSeconds(-1)).Check);
        Assert.Equal(new TokenResult(TokenCheck.Expired, CaseId, Expiry), CaseLinkToken.Verify(token, Keys, Expiry));
        Assert.Equal(new TokenResult(TokenCheck.Expired, CaseId, Expiry), CaseLinkToken.Verify(token, Keys, Expiry.AddYears(2)));
    }

    [Fact]
    public void Expiry_is_kept_to_the_second_and_compared_in_UTC()
    {
        var local = new DateTimeOffset(2026, 12, 1, 12, 30, 15, 900, TimeSpan.FromHours(2));

        var result = CaseLinkToken.Verify(Token(expiresAt: local), Keys, Now);

        Assert.Equal(TokenCheck.Valid, result.Check);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 30, 15, TimeSpan.Zero), result.ExpiresAt);
    }

    [Fact]
    public void A_tampered_signature_is_invalid()
    {
        var token = Token();
        var signature = token.Split('.')[4];
        var flipped = (signature[0] == 'A' ? 'B' : 'A') + signature[1..];

        AssertInvalid(CaseLinkToken.Verify(ReplacePart(token, 4, flipped), Keys, Now));
        AssertInvalid(CaseLinkToken.Verify(ReplacePart(token, 4, signature[..^1]), Keys, Now));
        AssertInvalid(CaseLinkToken.Verify(ReplacePart(token, 4, signature + "A"), Keys, Now));
        AssertInvalid(CaseLinkToken.Verify(ReplacePart(token, 4, signature + "="), Keys, Now));
        AssertInvalid(CaseLinkToken.Verify(ReplacePart(token, 4, ""), Keys, Now));
        AssertInvalid(CaseLinkToken.Verify(ReplacePart(token, 4, Convert.ToBase64String(new byte[32])), Keys, Now));
    }

    [Fact]
    public void A_token_for_one_case_cannot_be_edited_to_open_another()
    {
        var token = Token();

        AssertInvalid(CaseLinkToken.Verify(ReplacePart(token, 2, "20261120-0123456789ac"), Keys, Now));
        AssertInvalid(CaseLinkToken.Verify(ReplacePart(token, 2, CaseId.ToUpperInvariant()), Keys, Now));
        AssertInvalid(CaseLinkToken.Verify(ReplacePart(token, 2, ""), Keys, Now));
    }

    [Fact]
    public void An_expired_token_cannot_be_edited_to_live_longer()
    {
        var token = Token(expiresAt: Now.AddDays(-1));
        Assert.Equal(TokenCheck.Expired, CaseLinkToken.Verify(token, Keys, Now).Check);

        var later = Now.AddDays(365).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        AssertInvalid(CaseLinkToken.Verify(ReplacePart(token, 3, later), Keys, Now));
        // Same number, different spelling: still not what was signed.
        AssertInvalid(CaseLinkToken.Verify(ReplacePart(token, 3, "0" + token.Split('.')[3]), Keys, Now));
        AssertInvalid(CaseLinkToken.Verify(ReplacePart(token, 3, "+" + token.Split('.')[3]), Keys, Now));
        AssertInvalid(CaseLinkToken.Verify(ReplacePart(token, 3, "-1"), Keys, Now));
        AssertInvalid(CaseLinkToken.Verify(ReplacePart(token, 3, "99999999999999999999999"), Keys, Now));
    }

    [Fact]
    public void A_token_cannot_be_moved_to_another_listed_key()
    {
        var keys = new Dictionary<string, byte[]> { ["k1"] = KeyA, ["k2"] = KeyB };
        var token = Token();

        Assert.Equal(TokenCheck.Valid, CaseLinkToken.Verify(token, keys, Now).Check);
        AssertInvalid(CaseLinkToken.Verify(ReplacePart(token, 1, "k2"), keys, Now));
        AssertInvalid(CaseLinkToken.Verify(ReplacePart(token, 1, "K1"), keys, Now));
    }

    [Fact]
    public void A_token_signed_with_an_unknown_key_id_is_invalid()
    {
        AssertInvalid(CaseLinkToken.Verify(Token(keyId: "k9"), Keys, Now));
        AssertInvalid(CaseLinkToken.Verify(Token(keyId: "k9", key: KeyA), Keys, Now));
        AssertInvalid(CaseLinkToken.Verify(Token(), new Dictionary<string, byte[]>(), Now));
    }

    [Fact]
    public void A_token_signed_with_a_different_secret_under_the_same_key_id_is_invalid()
    {
        AssertInvalid(CaseLinkToken.Verify(Token(key: KeyB), Keys, Now));
    }

    [Fact]
    public void Key_rotation_keeps_old_links_working_while_the_old_key_is_listed()
    {
        var oldLink = Token(keyId: "2025", key: KeyA);
        var newLink = Token(keyId: "2026", key: KeyB);
        var during = new Dictionary<string, byte[]> { ["2025"] = KeyA, ["2026"] = KeyB };
        var after = new Dictionary<string, byte[]> { ["2026"] = KeyB };
        var before = new Dictionary<string, byte[]> { ["2025"] = KeyA };

        Assert.Equal(new TokenResult(TokenCheck.Valid, CaseId, Expiry), CaseLinkToken.Verify(oldLink, during, Now));
        Assert.Equal(new TokenResult(TokenCheck.Valid, CaseId, Expiry), CaseLinkToken.Verify(newLink, during, Now));
        Assert.Equal(TokenCheck.Valid, CaseLinkToken.Verify(oldLink, before, Now).Check);
        AssertInvalid(CaseLinkToken.Verify(oldLink, after, Now));
        AssertInvalid(CaseLinkToken.Verify(newLink, before, Now));
        Assert.Equal(TokenCheck.Valid, CaseLinkToken.Verify(newLink, after, Now).Check);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(".")]
    [InlineData("....")]
    [InlineData(".....")]
    [InlineData("v1")]
    [InlineData("v1.k1")]
    [InlineData("v1.k1.20261120-0123456789ab")]
    [InlineData("v1.k1.20261120-0123456789ab.1795000000")]
    [InlineData("v1.k1.20261120-0123456789ab.1795000000.")]
    [InlineData("v1.k1.20261120-0123456789ab.notanumber.abc")]
    [InlineData("v1.k1.20261120-0123456789ab.1795000000.abc.def")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("../../etc/passwd")]
    [InlineData("%00%00")]
    [InlineData("v1.k1.a.1.\u00e9\u00e9\u00e9")]
    public void Garbage_is_invalid(string? token)
    {
        AssertInvalid(CaseLinkToken.Verify(token, Keys, Now));
    }

    [Fact]
    public void A_token_with_another_version_is_invalid()
    {
        var token = Token();

        AssertInvalid(CaseLinkToken.Verify(ReplacePart(token, 0, "v2"), Keys, Now));
        AssertInvalid(CaseLinkToken.Verify(ReplacePart(token, 0, "V1"), Keys, Now));
    }

    [Fact]
    public void Overlong_input_is_invalid_without_work()
    {
        var token = Token(caseId: new string('a', 600));

        AssertInvalid(CaseLinkToken.Verify(token, Keys, Now));
        AssertInvalid(CaseLinkToken.Verify(Token() + new string('x', 600), Keys, Now));
    }

    [Fact]
    public void Whitespace_around_a_token_is_not_ignored()
    {
        AssertInvalid(CaseLinkToken.Verify(" " + Token(), Keys, Now));
        AssertInvalid(CaseLinkToken.Verify(Token() + "\n", Keys, Now));
    }

    [Theory]
    [InlineData("case.1", "k1")]
    [InlineData("case-1", "k.1")]
    public void Ids_containing_the_separator_cannot_be_signed(string caseId, string keyId)
    {
        Assert.Throws<ArgumentException>(() => CaseLinkToken.Create(caseId, Expiry, keyId, KeyA));
    }

    [Fact]
    public void FormSecret_is_bound_to_one_token_and_key()
    {
        var token = Token();
        var other = Token(caseId: "20261120-ffffffffffff");
        var secret = CaseLinkToken.FormSecret(token, KeyA);

        Assert.Equal(secret, CaseLinkToken.FormSecret(token, KeyA));
        Assert.NotEqual(secret, CaseLinkToken.FormSecret(other, KeyA));
        Assert.NotEqual(secret, CaseLinkToken.FormSecret(Token(expiresAt: Expiry.AddSeconds(1)), KeyA));
        Assert.NotEqual(secret, CaseLinkToken.FormSecret(token, KeyB));
        Assert.Matches("^[A-Za-z0-9_-]{43}$", secret);
        // Neither the token's own signature nor derivable from what the page shows.
        Assert.NotEqual(token.Split('.')[4], secret);
        Assert.DoesNotContain(secret, token, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_distinct_tokens_have_distinct_form_secrets()
    {
        var secrets = Enumerable.Range(0, 500)
            .Select(i => CaseLinkToken.FormSecret(Token(caseId: $"case-{i}"), KeyA))
            .ToList();

        Assert.Equal(secrets.Count, secrets.Distinct().Count());
    }
}
