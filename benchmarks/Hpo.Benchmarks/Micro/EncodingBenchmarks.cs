using BenchmarkDotNet.Attributes;
using Hpo.Benchmarks.Suite;
using Hpo.SearchSpaces;

namespace Hpo.Benchmarks.Micro;

/// <summary>The unit-cube encoding every tuner works in: typed values to the cube and back.</summary>
public class EncodingBenchmarks
{
    private UnitCubeEncoding mixed = null!;
    private UnitCubeEncoding box = null!;
    private IReadOnlyDictionary<string, object> mixedPoint = null!;
    private IReadOnlyDictionary<string, object> boxPoint = null!;

    /// <summary>Builds the encodings and one point of each space.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var tuningLike = new TuningLike();
        mixed = new UnitCubeEncoding(tuningLike.SearchSpace);
        mixedPoint = tuningLike.SearchSpace.Validate(new Dictionary<string, object> { ["lr"] = 0.003, ["layers"] = 3L, ["activation"] = "gelu", ["dropout"] = 0.25 });
        var hartmann = new Hartmann6();
        box = new UnitCubeEncoding(hartmann.SearchSpace);
        boxPoint = hartmann.SearchSpace.Validate(Enumerable.Range(0, 6).ToDictionary(i => "x" + i, i => (object)Hartmann6.Minimizer[i]));
    }

    /// <summary>Encodes tuning_like's optimum (log float, int, categorical, float) and decodes it back.</summary>
    /// <returns>The decoded values.</returns>
    [Benchmark]
    public IReadOnlyDictionary<string, object> RoundTripMixed() => mixed.Decode(mixed.Encode(mixedPoint));

    /// <summary>Encodes a 6-D continuous point and decodes it back.</summary>
    /// <returns>The decoded values.</returns>
    [Benchmark]
    public IReadOnlyDictionary<string, object> RoundTripBox6() => box.Decode(box.Encode(boxPoint));
}
