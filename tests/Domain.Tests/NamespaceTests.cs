using System.Text.RegularExpressions;

namespace AbuseDesk.Domain.Tests;

/// <summary>
/// The Domain's capability namespaces (one per folder of src/Domain) depend on each other without cycles, so each can
/// be read, tested and changed from the bottom up. Read from the sources: a using of a sibling namespace, or a
/// sibling's type named through its namespace ("Cases.ReportedHosts"), is a dependency.
/// </summary>
public partial class NamespaceTests
{
    [Fact]
    public void The_domain_namespaces_form_no_cycle()
    {
        var root = DomainSources();
        var folders = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>()
            .Where(f => f is not ("bin" or "obj")).ToList();
        var typesOf = folders.ToDictionary(f => f, f => Directory.GetFiles(Path.Combine(root, f), "*.cs", SearchOption.AllDirectories)
            .SelectMany(path => TypeDeclaration().Matches(File.ReadAllText(path)).Select(m => m.Groups[1].Value)).ToHashSet(StringComparer.Ordinal));

        var edges = folders.ToDictionary(f => f, _ => new HashSet<string>(StringComparer.Ordinal));
        foreach (var folder in folders)
        {
            foreach (var path in Directory.GetFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            {
                var text = File.ReadAllText(path);
                foreach (var other in folders.Where(o => o != folder))
                {
                    var used = text.Contains($"using AbuseDesk.Domain.{other};", StringComparison.Ordinal)
                        || Regex.Matches(text, $@"\b{other}\.([A-Z]\w*)").Any(m => typesOf[other].Contains(m.Groups[1].Value));
                    if (used)
                    {
                        edges[folder].Add(other);
                    }
                }
            }
        }

        Assert.NotEmpty(edges["Cases"]);
        Assert.Null(CycleIn(edges));
    }

    /// <summary>One cycle as "A → B → A", or null.</summary>
    private static string? CycleIn(Dictionary<string, HashSet<string>> edges)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();

        string? Visit(string node)
        {
            var at = path.IndexOf(node);
            if (at >= 0)
            {
                return string.Join(" → ", path.Skip(at).Append(node));
            }

            if (!done.Add(node))
            {
                return null;
            }

            path.Add(node);
            foreach (var next in edges[node].Order(StringComparer.Ordinal))
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            return null;
        }

        return edges.Keys.Order(StringComparer.Ordinal).Select(Visit).FirstOrDefault(c => c is not null);
    }

    private static string DomainSources()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "src", "Domain")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("src/Domain above the test's folder"), "src", "Domain");
    }

    [GeneratedRegex(@"\b(?:class|record|struct|enum|interface)\s+([A-Z]\w*)")]
    private static partial Regex TypeDeclaration();
}
