using Hpo.MLNet.Trainers;
using Hpo.SearchSpaces;

namespace Hpo.MLNet.Tests;

public class LightGbmSearchSpaceExtensionsTests
{
    [Fact]
    public void AddLightGbm_NextToOwnParameters_KeepsBoth()
    {
        SearchSpace space = new SearchSpaceBuilder()
            .AddCategorical("features", "raw", "normalized")
            .AddLightGbm()
            .Build();

        Assert.Equal(["features", .. LightGbmSearchSpace.ParameterNames], space.Parameters.Select(p => p.Name));
        Assert.Equal(LightGbmSearchSpace.Create()[LightGbmSearchSpace.NumberOfLeaves].Distribution, space[LightGbmSearchSpace.NumberOfLeaves].Distribution);
    }

    [Fact]
    public void AddLightGbm_NameAlreadyDeclared_ThrowsArgumentException()
    {
        SearchSpaceBuilder builder = new SearchSpaceBuilder().AddInt(LightGbmSearchSpace.NumberOfLeaves, 2, 8);

        var e = Assert.Throws<ArgumentException>(() => builder.AddLightGbm());
        Assert.Contains(LightGbmSearchSpace.NumberOfLeaves, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddLightGbm_NullBuilder_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => LightGbmSearchSpaceExtensions.AddLightGbm(null!));
    }
}
