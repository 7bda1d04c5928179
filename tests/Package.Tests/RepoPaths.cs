namespace AbuseDesk.Package.Tests;

internal static class RepoPaths
{
    private const string SolutionFile = "AbuseFunctions.sln";

    /// <summary>The repository root: the nearest folder above the test binaries that holds the solution.</summary>
    public static string Root { get; } = FindRoot();

    public static string FunctionsSource => Path.Combine(Root, "src", "Functions");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No {SolutionFile} in {AppContext.BaseDirectory} or any folder above it; run the tests from the repository.");
    }
}
