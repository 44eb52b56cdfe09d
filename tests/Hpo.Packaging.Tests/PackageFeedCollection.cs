namespace Hpo.Packaging.Tests;

/// <summary>The tests that share one packed feed (packing takes a while; the consumers also share their SQLite study).</summary>
[CollectionDefinition(Name)]
public sealed class PackageFeedCollection : ICollectionFixture<PackageFeed>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "package feed";
}
