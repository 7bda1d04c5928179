using System.Text.Json;
using System.Text.Json.Nodes;
using static AbuseDesk.Infra.Tests.ArmJson;

namespace AbuseDesk.Infra.Tests;

/// <summary>
/// Key Vault in RBAC mode holds every secret the app reads, the identity may only read secrets, and the app
/// settings the app binds (AbuseDesk:Smtp, Tokens, Ops) are Key Vault references; mail goes through ACS Email
/// on an Azure-managed domain, with the SMTP username linked to an Entra app when one is given.
/// </summary>
[Collection(InfraCollection.Name)]
public sealed class SecretsAndMailTests(CompiledInfra infra)
{
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string CommunicationAndEmailServiceOwner = "09976791-48a7-449e-bb21-39d1a415f350";

    [Fact]
    public void Key_vault_uses_rbac_with_soft_delete_and_purge_protection()
    {
        var vault = Single(CompiledInfra.Predicted(infra.MainSnapshot), "Microsoft.KeyVault/vaults")["properties"]!;

        Assert.True(Bool(vault["enableRbacAuthorization"]));
        Assert.True(Bool(vault["enableSoftDelete"]));
        Assert.True(Bool(vault["enablePurgeProtection"]));
        Assert.Null(vault["accessPolicies"]);
    }

    [Fact]
    public void Identity_may_only_read_secrets_of_the_vault()
    {
        var predicted = CompiledInfra.Predicted(infra.MainSnapshot).ToList();
        var vaultId = Id(Single(predicted, "Microsoft.KeyVault/vaults"));
        var identityId = Id(Single(predicted, "Microsoft.ManagedIdentity/userAssignedIdentities"));

        var assignment = Assert.Single(AssignmentsOn(predicted, vaultId));
        Assert.Equal(KeyVaultSecretsUser, RoleDefinitionGuid(assignment));
        Assert.Contains(identityId, Str(assignment["properties"]?["principalId"]), StringComparison.Ordinal);
        Assert.Contains(identityId, Str(Single(predicted, "Microsoft.Web/sites")["properties"]?["keyVaultReferenceIdentity"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AbuseDesk__Smtp__UserName", "smtp-username")]
    [InlineData("AbuseDesk__Smtp__Password", "smtp-password")]
    [InlineData("AbuseDesk__Ops__Key", "ops-key")]
    [InlineData("AbuseDesk__Tokens__Keys__k1", "token-key-k1")]
    public void Secret_settings_are_key_vault_references(string setting, string secret)
    {
        var predicted = CompiledInfra.Predicted(infra.MainSnapshot).ToList();
        var vaultId = Id(Single(predicted, "Microsoft.KeyVault/vaults"));

        var value = Str(AppSettings(predicted)[setting]);
        Assert.True(KeyVaultSecretName(value, vaultId) == secret, $"{setting} = {value} is not a reference to {secret} in {vaultId}");
    }

    [Fact]
    public void Secrets_come_from_secure_parameters_and_are_written_only_when_given()
    {
        var resources = CompiledInfra.Resources(infra.Template).ToList();
        var parameters = infra.Template["parameters"]!.AsObject();
        var secrets = OfType(resources, "Microsoft.KeyVault/vaults/secrets").ToList();

        foreach (var parameter in new[] { "smtpPassword", "tokenSigningKey", "opsKey" })
        {
            Assert.Equal("securestring", Str(parameters[parameter]?["type"]));
            var secret = Assert.Single(secrets, s => Str(s["properties"]?["value"]) == $"[parameters('{parameter}')]");
            // Empty means "keep what the vault has": a redeploy without secrets must not blank them.
            Assert.Equal($"[not(empty(parameters('{parameter}')))]", Str(secret["condition"]));
        }
    }

    [Fact]
    public void Every_abusedesk_setting_is_one_the_app_knows()
    {
        var settings = AppSettings(CompiledInfra.Predicted(infra.FullSnapshot));
        var sample = JsonNode.Parse(
            File.ReadAllText(Path.Combine(RepoPaths.Root, "local.settings.sample.json")),
            documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!["Values"]!.AsObject();

        var ours = settings.Select(s => s.Key).Where(k => k.StartsWith("AbuseDesk__", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(ours);
        Assert.All(ours, key =>
        {
            // Token keys are a dictionary keyed by key id; the sample lists k1.
            var known = key.StartsWith("AbuseDesk__Tokens__Keys__", StringComparison.Ordinal) ? "AbuseDesk__Tokens__Keys__k1" : key;
            Assert.True(sample.ContainsKey(known), $"{key} is not a setting of the app (local.settings.sample.json lists every one)");
        });
        Assert.Equal("https://abuse.provider.test", Str(settings["AbuseDesk__PublicUrl"]));
        Assert.Equal("abuse@provider.test", Str(settings["AbuseDesk__Smtp__ReplyTo"]));
    }

    [Fact]
    public void Rotation_lists_every_key_id_and_writes_the_active_one()
    {
        var predicted = CompiledInfra.Predicted(infra.FullSnapshot).ToList();
        var settings = AppSettings(predicted);

        var vaultId = Id(Single(predicted, "Microsoft.KeyVault/vaults"));

        Assert.Equal("k2", Str(settings["AbuseDesk__Tokens__ActiveKeyId"]));
        Assert.Equal("token-key-k1", KeyVaultSecretName(Str(settings["AbuseDesk__Tokens__Keys__k1"]), vaultId));
        Assert.Equal("token-key-k2", KeyVaultSecretName(Str(settings["AbuseDesk__Tokens__Keys__k2"]), vaultId));
        Assert.Contains("token-key-k2", ChildNames(predicted, "Microsoft.KeyVault/vaults/secrets"));
        Assert.DoesNotContain("token-key-k1", ChildNames(predicted, "Microsoft.KeyVault/vaults/secrets"));
    }

    [Fact]
    public void Mail_goes_through_the_acs_smtp_relay_from_the_managed_domain()
    {
        var predicted = CompiledInfra.Predicted(infra.MainSnapshot).ToList();
        var settings = AppSettings(predicted);
        var domain = Single(predicted, "Microsoft.Communication/emailServices/domains");

        Assert.Equal("global", Str(Single(predicted, "Microsoft.Communication/emailServices")["location"]));
        Assert.Equal("AzureManaged", Str(domain["properties"]?["domainManagement"]));
        Assert.Equal("Disabled", Str(domain["properties"]?["userEngagementTracking"]));
        var sender = Single(predicted, "Microsoft.Communication/emailServices/domains/senderUsernames");
        Assert.Equal("abuse", Str(sender["properties"]?["username"]));
        var linked = Single(predicted, "Microsoft.Communication/communicationServices")["properties"]!["linkedDomains"]!.AsArray();
        Assert.Equal(Id(domain), Str(Assert.Single(linked)));

        Assert.Equal("smtp.azurecomm.net", Str(settings["AbuseDesk__Smtp__Host"]));
        Assert.Equal("587", Str(settings["AbuseDesk__Smtp__Port"]));
        Assert.Equal("true", Str(settings["AbuseDesk__Smtp__StartTls"]));
        // The relay accepts only senders of a linked domain: From is built from the domain ACS assigns.
        var from = Str(settings["AbuseDesk__Smtp__From"])!;
        Assert.Contains($"reference('{Id(domain)}', '2023-04-01').mailFromSenderDomain", from, StringComparison.Ordinal);
        Assert.Contains("'abuse'", from, StringComparison.Ordinal);
    }

    [Fact]
    public void Smtp_username_and_role_exist_only_for_a_named_entra_app()
    {
        Assert.Empty(OfType(CompiledInfra.Predicted(infra.MainSnapshot), "Microsoft.Communication/communicationServices/smtpUsernames"));

        var predicted = CompiledInfra.Predicted(infra.FullSnapshot).ToList();
        var service = Single(predicted, "Microsoft.Communication/communicationServices");
        var username = Single(predicted, "Microsoft.Communication/communicationServices/smtpUsernames")["properties"]!;
        Assert.Equal("desk-smtp", Str(username["username"]));
        Assert.Equal(CompiledInfra.SmtpApplicationId, Str(username["entraApplicationId"]));

        var role = Assert.Single(AssignmentsOn(predicted, Id(service)));
        Assert.Equal(CommunicationAndEmailServiceOwner, RoleDefinitionGuid(role));
        Assert.Equal(CompiledInfra.SmtpServicePrincipalId, Str(role["properties"]?["principalId"]));

        var usernameSecret = Assert.Single(
            OfType(predicted, "Microsoft.KeyVault/vaults/secrets"),
            s => Str(s["name"])!.EndsWith("/smtp-username", StringComparison.Ordinal));
        Assert.Equal("desk-smtp", Str(usernameSecret["properties"]?["value"]));
    }
}
