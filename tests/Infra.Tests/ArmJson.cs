using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AbuseDesk.Infra.Tests;

/// <summary>Reading resources, ids and role assignments out of compiled templates and snapshots.</summary>
internal static class ArmJson
{
    public static string? Str(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static bool? Bool(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : null;

    public static string Id(JsonObject resource) => Str(resource["id"])!;

    public static IEnumerable<JsonObject> OfType(IEnumerable<JsonObject> resources, string type) =>
        resources.Where(r => string.Equals(Str(r["type"]), type, StringComparison.OrdinalIgnoreCase));

    public static JsonObject Single(IEnumerable<JsonObject> resources, string type) =>
        Assert.Single(OfType(resources, type));

    public static List<JsonObject> AssignmentsOn(IEnumerable<JsonObject> predicted, string scopeId) =>
        OfType(predicted, "Microsoft.Authorization/roleAssignments")
            .Where(a => Id(a).StartsWith($"{scopeId}/providers/Microsoft.Authorization/roleAssignments/", StringComparison.OrdinalIgnoreCase))
            .ToList();

    public static string RoleDefinitionGuid(JsonObject assignment) =>
        Str(assignment["properties"]?["roleDefinitionId"])!.Split('/')[^1];

    public static IEnumerable<string> ChildNames(IEnumerable<JsonObject> predicted, string type) =>
        OfType(predicted, type).Select(r => Str(r["name"])!.Split('/')[^1]);

    /// <summary>Every string value anywhere under <paramref name="node"/> (expressions included).</summary>
    public static IEnumerable<string> Strings(JsonNode? node) =>
        node switch
        {
            JsonObject obj => obj.SelectMany(p => Strings(p.Value)),
            JsonArray array => array.SelectMany(Strings),
            _ when Str(node) is { } text => [text],
            _ => [],
        };

    public static JsonObject AppSettings(IEnumerable<JsonObject> predicted) =>
        Assert.Single(
            OfType(predicted, "Microsoft.Web/sites/config"),
            c => Str(c["name"])!.EndsWith("/appsettings", StringComparison.Ordinal))["properties"]!.AsObject();

    /// <summary>
    /// The secret name an app setting's Key Vault reference points at, when it is a versionless
    /// <c>@Microsoft.KeyVault(SecretUri=&lt;vaultUri&gt;secrets/&lt;name&gt;)</c> into the given vault; otherwise null.
    /// </summary>
    public static string? KeyVaultSecretName(string? setting, string vaultId)
    {
        var pattern =
            @"^\[format\('@Microsoft\.KeyVault\(SecretUri=\{0\}(?<prefix>[a-z0-9-]*)\{1\}\)', " +
            $@"format\('\{{0\}}secrets/', reference\('{Regex.Escape(vaultId)}', '[0-9-]+'\)\.vaultUri\), " +
            @"'(?<name>[A-Za-z0-9-]+)'\)\]$";
        var match = Regex.Match(setting ?? "", pattern);
        return match.Success ? match.Groups["prefix"].Value + match.Groups["name"].Value : null;
    }
}
