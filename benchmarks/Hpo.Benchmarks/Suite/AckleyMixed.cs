using Hpo.SearchSpaces;

namespace Hpo.Benchmarks.Suite;

/// <summary>
/// Ackley's function in 6-D over a mixed space, in the manner of the mixed-variable benchmarks of CoCaBO (Ru et al., 2020):
/// two floats <c>x0, x1</c> in [-5, 5], two integers <c>k0, k1</c> in -5..5, and two categoricals <c>c0, c1</c> whose
/// choices a..e stand for the unordered levels 2, -1, 0, -2, 1. Minimum 0 at x = 0, k = 0, c = "c".
/// </summary>
public sealed class AckleyMixed : TestFunction
{
    private static readonly SearchSpace Space = new SearchSpaceBuilder()
        .AddFloat("x0", -5.0, 5.0)
        .AddFloat("x1", -5.0, 5.0)
        .AddInt("k0", -5, 5)
        .AddInt("k1", -5, 5)
        .AddCategorical("c0", "a", "b", "c", "d", "e")
        .AddCategorical("c1", "a", "b", "c", "d", "e")
        .Build();

    /// <inheritdoc/>
    public override string Name => "ackley_mixed";

    /// <inheritdoc/>
    public override SearchSpace SearchSpace => Space;

    /// <inheritdoc/>
    public override int Budget => 100;

    /// <inheritdoc/>
    /// <remarks>The optimum evaluates to 4.44e-16 in doubles; f* is taken as exactly 0.</remarks>
    public override double FStar => 0.0;

    /// <inheritdoc/>
    public override double Evaluate(IReadOnlyDictionary<string, object> parameters)
    {
        ReadOnlySpan<double> x =
        [
            GetDouble(parameters, "x0"),
            GetDouble(parameters, "x1"),
            GetInt64(parameters, "k0"),
            GetInt64(parameters, "k1"),
            Level(GetString(parameters, "c0"), "c0"),
            Level(GetString(parameters, "c1"), "c1"),
        ];
        return Ackley5.Ackley(x);
    }

    private static double Level(string choice, string name) => choice switch
    {
        "a" => 2.0,
        "b" => -1.0,
        "c" => 0.0,
        "d" => -2.0,
        "e" => 1.0,
        _ => throw new ArgumentException($"{name} must be one of a, b, c, d, e, but got '{choice}'.", nameof(choice)),
    };
}
