namespace AbuseDesk.Domain.Tests;

internal static class TestPaths
{
    public static string TestData(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "TestData", .. parts]);

    /// <summary>
    /// The external conformance corpus (../shared/corpus beside the repo). CI always has it; it is
    /// never copied into the repo. Null when absent so a conformance test can say so loudly.
    /// </summary>
    public static string? Corpus(string folder)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "corpus", folder);
            if (Directory.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }

            dir = dir.Parent;
        }

        return null;
    }
}
