using System.Reflection;
using System.Text.Json.Nodes;

namespace AbuseDesk.Infra.Tests;

/// <summary>
/// The build output of src/Functions, which this project builds first (a project reference without the
/// assembly): the Worker Sdk writes functions.metadata there, the list the Functions host indexes the worker's
/// functions from. The folder is baked into this assembly's metadata at build time.
/// </summary>
internal static class FunctionsApp
{
    public static string OutputDirectory =>
        typeof(FunctionsApp).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "FunctionsOutputDirectory")?.Value
        ?? throw new InvalidOperationException("the test assembly does not name the src/Functions build output; build tests/Infra.Tests");

    /// <summary>The entries of functions.metadata, one per function.</summary>
    public static List<JsonObject> Metadata()
    {
        var path = Path.Combine(OutputDirectory, "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: build src/Functions (the Worker Sdk writes it)");
        return JsonNode.Parse(File.ReadAllText(path))!.AsArray().OfType<JsonObject>().ToList();
    }
}
