using System.Runtime.CompilerServices;
using Hpo.SearchSpaces;

namespace Hpo.Tuners.GaussianProcess;

/// <summary>How the GP treats one parameter.</summary>
internal enum GpDimensionKind
{
    /// <summary>A continuous float (linear or log): a numeric feature, optimized by L-BFGS-B.</summary>
    Continuous,

    /// <summary>An integer or stepped float: a numeric feature on the values' unit positions, searched coordinate-wise.</summary>
    Ordinal,

    /// <summary>A categorical: a Hamming-distance feature, searched coordinate-wise.</summary>
    Categorical,
}

/// <summary>
/// The view of a search space that the GP tuner works in. A <em>point</em> is a full unit-cube vector (one coordinate per
/// parameter, inactive ones included, so that a child keeps its value while its parent changes); a <em>feature vector</em>
/// is what the kernel sees: numeric features first (continuous and ordinal parameters at their unit coordinates), then
/// categorical ones (choice indices).
/// </summary>
/// <remarks>
/// Inactive parameters must not poison the model: an inactive numeric parameter takes the fixed filler 0.5 and an inactive
/// categorical the pseudo-category -1. Two points on which a child is inactive therefore agree on it exactly, and a point on
/// which it is active differs from them on its categorical parent, which the Hamming term already separates. The filler keeps
/// the kernel a valid (positive definite) kernel of an embedding, unlike dropping the term pairwise.
/// </remarks>
internal sealed class GaussianProcessSpace
{
    /// <summary>Ordinals with at most this many values are searched exhaustively; larger ones are relaxed into L-BFGS-B.</summary>
    public const int ExhaustiveLimit = 32;

    /// <summary>The feature value of an inactive numeric parameter.</summary>
    public const double NumericFiller = 0.5;

    /// <summary>The feature value of an inactive categorical parameter.</summary>
    public const double CategoricalFiller = -1.0;

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<UnitCubeEncoding, GaussianProcessSpace> Cache = [];

    private readonly bool[]?[] allowed;

    private GaussianProcessSpace(UnitCubeEncoding encoding)
    {
        Encoding = encoding;
        SearchSpace space = encoding.Space;
        int count = encoding.Dimensions;
        Dimensions = count;
        Kinds = new GpDimensionKind[count];
        Cardinality = new long[count];
        Parent = new int[count];
        allowed = new bool[]?[count];
        Values = new double[]?[count];
        FeatureOf = new int[count];
        for (int i = 0; i < count; i++)
        {
            Distribution dist = space.Parameters[i].Distribution;
            Cardinality[i] = encoding.Cardinality(i);
            Parent[i] = encoding.Parent(i);
            Kinds[i] = dist switch
            {
                CategoricalDistribution => GpDimensionKind.Categorical,
                _ when dist.IsDiscrete => GpDimensionKind.Ordinal,
                _ => GpDimensionKind.Continuous,
            };
            if (space.Parameters[i].Condition is { } condition)
            {
                var parentDist = (CategoricalDistribution)space.Parameters[Parent[i]].Distribution;
                bool[] mask = new bool[parentDist.Choices.Count];
                foreach (object v in condition.Values)
                {
                    mask[parentDist.IndexOf(v)] = true;
                }

                allowed[i] = mask;
            }

            if (Kinds[i] == GpDimensionKind.Ordinal && Cardinality[i] <= ExhaustiveLimit)
            {
                var units = new double[Cardinality[i]];
                for (int k = 0; k < units.Length; k++)
                {
                    units[k] = Snap(i, (k + 0.5) / units.Length);
                }

                Values[i] = units;
            }
            else if (Kinds[i] == GpDimensionKind.Categorical)
            {
                var units = new double[Cardinality[i]];
                for (int k = 0; k < units.Length; k++)
                {
                    units[k] = (k + 0.5) / units.Length;
                }

                Values[i] = units;
            }
        }

        int feature = 0;
        for (int i = 0; i < count; i++)
        {
            if (Kinds[i] != GpDimensionKind.Categorical)
            {
                FeatureOf[i] = feature++;
            }
        }

        Numeric = feature;
        for (int i = 0; i < count; i++)
        {
            if (Kinds[i] == GpDimensionKind.Categorical)
            {
                FeatureOf[i] = feature++;
            }
        }

        var relaxed = new List<int>();
        var discrete = new List<int>();
        for (int i = 0; i < count; i++)
        {
            if (Kinds[i] == GpDimensionKind.Continuous || (Kinds[i] == GpDimensionKind.Ordinal && Values[i] is null))
            {
                relaxed.Add(i);
            }

            if (Kinds[i] != GpDimensionKind.Continuous)
            {
                discrete.Add(i);
            }
        }

        Relaxed = [.. relaxed];
        Discrete = [.. discrete];
    }

    /// <summary>Gets the encoding this view is built on.</summary>
    public UnitCubeEncoding Encoding { get; }

    /// <summary>Gets the number of parameters (and features).</summary>
    public int Dimensions { get; }

    /// <summary>Gets the number of numeric features.</summary>
    public int Numeric { get; }

    /// <summary>Gets how each parameter is treated.</summary>
    public GpDimensionKind[] Kinds { get; }

    /// <summary>Gets the number of values of each discrete parameter (0 for continuous ones).</summary>
    public long[] Cardinality { get; }

    /// <summary>Gets the parent of each parameter, or -1.</summary>
    public int[] Parent { get; }

    /// <summary>Gets the feature index of each parameter.</summary>
    public int[] FeatureOf { get; }

    /// <summary>Gets, for categoricals and small ordinals, the unit coordinates of their values in order; otherwise null.</summary>
    public double[]?[] Values { get; }

    /// <summary>Gets the parameters optimized by L-BFGS-B: continuous ones and ordinals too large to enumerate.</summary>
    public int[] Relaxed { get; }

    /// <summary>Gets the discrete parameters (ordinal and categorical), searched coordinate-wise.</summary>
    public int[] Discrete { get; }

    /// <summary>Gets the view of an encoding (cached per encoding).</summary>
    public static GaussianProcessSpace For(UnitCubeEncoding encoding) => Cache.GetValue(encoding, e => new GaussianProcessSpace(e));

    /// <summary>Gets the choice index a unit coordinate of a categorical parameter stands for.</summary>
    public int CategoryIndex(int dim, double u) => (int)Math.Min((long)Math.Floor(Math.Clamp(u, 0.0, 1.0) * Cardinality[dim]), Cardinality[dim] - 1);

    /// <summary>Moves a unit coordinate of a discrete parameter to the exact coordinate of the value it decodes to.</summary>
    public double Snap(int dim, double u)
    {
        if (Kinds[dim] == GpDimensionKind.Continuous)
        {
            return Math.Clamp(u, 0.0, 1.0);
        }

        if (Kinds[dim] == GpDimensionKind.Categorical)
        {
            return (CategoryIndex(dim, u) + 0.5) / Cardinality[dim];
        }

        return Encoding.ToUnit(dim, Encoding.FromUnit(dim, u));
    }

    /// <summary>Computes which parameters are active at a point.</summary>
    public void Activity(ReadOnlySpan<double> point, Span<bool> active)
    {
        for (int i = 0; i < Dimensions; i++)
        {
            int p = Parent[i];
            active[i] = p < 0 || (active[p] && allowed[i]![CategoryIndex(p, point[p])]);
        }
    }

    /// <summary>Writes the feature vector of a point and which parameters are active.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Features(ReadOnlySpan<double> point, Span<double> feature, Span<bool> active)
    {
        Activity(point, active);
        for (int i = 0; i < Dimensions; i++)
        {
            int f = FeatureOf[i];
            if (Kinds[i] == GpDimensionKind.Categorical)
            {
                feature[f] = active[i] ? CategoryIndex(i, point[i]) : CategoricalFiller;
            }
            else
            {
                feature[f] = active[i] ? point[i] : NumericFiller;
            }
        }
    }

    /// <summary>
    /// Turns the encoded parameters of a trial (NaN for inactive ones) into a full point, filling inactive coordinates with
    /// <paramref name="fill"/> (their value does not matter to the model).
    /// </summary>
    public double[] ToPoint(ReadOnlySpan<double> encoded, double fill)
    {
        var point = new double[Dimensions];
        for (int i = 0; i < Dimensions; i++)
        {
            point[i] = double.IsNaN(encoded[i]) ? fill : Snap(i, encoded[i]);
        }

        return point;
    }
}
