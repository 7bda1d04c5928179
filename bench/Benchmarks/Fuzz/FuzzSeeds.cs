using System.IO.Compression;

namespace AbuseDesk.Benchmarks.Fuzz;

/// <summary>
/// The seed bodies: the external corpus (read in place, never copied into the repo: its licences differ from
/// ours), the repo's own parser test data and docs/samples, and a zipped copy of every CSV so the zip path of
/// the feed parser gets mutated too.
/// </summary>
public static class FuzzSeeds
{
    public static List<Seed> Load(string repoRoot, string? corpus)
    {
        var folders = new List<string>
        {
            Path.Combine(repoRoot, "tests", "Domain.Tests", "TestData"),
            Path.Combine(repoRoot, "docs", "samples"),
        };
        if (corpus is not null && Directory.Exists(corpus))
        {
            folders.Add(corpus);
        }

        var seeds = new List<Seed>();
        foreach (var folder in folders.Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(file);
                var body = File.ReadAllBytes(file);
                switch (Path.GetExtension(file).ToLowerInvariant())
                {
                    case ".eml":
                        seeds.Add(new Seed(file, body, "message/rfc822", null));
                        break;
                    case ".json":
                        seeds.Add(new Seed(file, body, "application/json", null));
                        break;
                    case ".csv":
                        var feedName = name.StartsWith("20", StringComparison.Ordinal) ? name : $"2026-11-20-{Path.GetFileNameWithoutExtension(name)}-asn-fuzz.csv";
                        seeds.Add(new Seed(file, body, "text/csv", feedName));
                        seeds.Add(new Seed(file + ".zip", Zip(feedName, body), "text/csv", Path.ChangeExtension(feedName, ".zip")));
                        break;
                }
            }
        }

        return seeds;
    }

    public static byte[] Zip(string entryName, byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry(entryName, CompressionLevel.Optimal).Open();
            entry.Write(content);
        }

        return buffer.ToArray();
    }
}
