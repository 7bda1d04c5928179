using System.Text.Json.Nodes;

namespace AbuseDesk.Package.Tests;

/// <summary>One entry of functions.metadata: a function's name, where it lives, its trigger and its other bindings.</summary>
public sealed record FunctionMetadata(string Name, string? ScriptFile, string? Language, JsonObject Trigger, IReadOnlyList<JsonObject> Bindings)
{
    public string TriggerType => Str(Trigger["type"])!;

    public static FunctionMetadata From(JsonObject entry)
    {
        var bindings = entry["bindings"]!.AsArray().OfType<JsonObject>().ToList();
        var triggers = bindings.Where(b => Str(b["type"])?.EndsWith("Trigger", StringComparison.Ordinal) == true).ToList();
        var name = Str(entry["name"])!;
        Assert.True(triggers.Count == 1, $"{name} has {triggers.Count} trigger bindings, not one");
        return new FunctionMetadata(name, Str(entry["scriptFile"]), Str(entry["language"]), triggers[0], bindings);
    }

    public static string? Str(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
