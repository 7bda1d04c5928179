namespace AbuseDesk.Package.Tests;

/// <summary>One publish (about a minute cold) shared by the layout and the functions.metadata tests.</summary>
[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<PublishedPackage>
{
    public const string Name = "package";
}
