using System.Collections.ObjectModel;

namespace Hpo.SearchSpaces;

/// <summary>
/// The one encoding of a search space into [0, 1]^d that every tuner works in: one dimension per parameter, in
/// <see cref="SearchSpace.Parameters"/> order; an inactive conditional parameter is encoded as NaN.
/// </summary>
/// <remarks>
/// Floats map linearly (or linearly in log space); stepped floats, integers and categoricals map to the centres of
/// equal-width bins, one bin per value, so the round trip is exact and a uniform draw in the cube is a uniform draw over
/// the values. Log-scaled integers use log space over [low - 0.5, high + 0.5], rounded, as Optuna does.
/// </remarks>
internal sealed class UnitCubeEncoding
{
    private readonly Dimension[] dims;

    public UnitCubeEncoding(SearchSpace space)
    {
        Space = space;
        dims = new Dimension[space.Count];
        for (int i = 0; i < dims.Length; i++)
        {
            SearchParameter p = space.Parameters[i];
            int parent = p.Condition is { } c ? space.IndexOf(c.Parent) : -1;
            bool[]? allowed = null;
            if (p.Condition is { } cond)
            {
                var parentDist = (CategoricalDistribution)space.Parameters[parent].Distribution;
                allowed = new bool[parentDist.Choices.Count];
                foreach (object v in cond.Values)
                {
                    allowed[parentDist.IndexOf(v)] = true;
                }
            }

            dims[i] = p.Distribution switch
            {
                FloatDistribution { Step: null, Log: false } f => new Dimension(DimensionKind.Linear, f.Low, f.High, 0, parent, allowed, p.Distribution),
                FloatDistribution { Step: null, Log: true } f => new Dimension(DimensionKind.Log, Math.Log(f.Low), Math.Log(f.High), 0, parent, allowed, p.Distribution),
                FloatDistribution f => new Dimension(DimensionKind.FloatGrid, f.Low, f.High, f.GridCount, parent, allowed, p.Distribution),
                IntDistribution { Log: true } n => new Dimension(DimensionKind.IntLog, Math.Log(n.Low - 0.5), Math.Log(n.High + 0.5), n.GridCount, parent, allowed, p.Distribution),
                IntDistribution n => new Dimension(DimensionKind.IntGrid, n.Low, n.High, n.GridCount, parent, allowed, p.Distribution),
                CategoricalDistribution cd => new Dimension(DimensionKind.Categorical, 0, cd.Choices.Count - 1, cd.Choices.Count, parent, allowed, p.Distribution),
                _ => throw new NotSupportedException($"Unknown distribution {p.Distribution.GetType().Name}."),
            };
        }

        IsFinite = space.Parameters.All(p => p.Distribution.IsDiscrete);
    }

    public SearchSpace Space { get; }

    public int Dimensions => dims.Length;

    /// <summary>Gets a value indicating whether every parameter is discrete, so that the space has finitely many points.</summary>
    public bool IsFinite { get; }

    /// <summary>Gets the number of values of dimension <paramref name="dim"/>, or 0 when it is continuous.</summary>
    public long Cardinality(int dim) => dims[dim].Count;

    /// <summary>Gets the kind of parameter behind dimension <paramref name="dim"/>.</summary>
    public ParameterKind Kind(int dim) => dims[dim].Distribution.Kind;

    /// <summary>Gets the index of the parent dimension of a conditional dimension, or -1.</summary>
    public int Parent(int dim) => dims[dim].Parent;

    /// <summary>Maps an internal value of dimension <paramref name="dim"/> to [0, 1].</summary>
    public double ToUnit(int dim, double internalValue)
    {
        Dimension d = dims[dim];
        return d.Kind switch
        {
            DimensionKind.Linear => Math.Clamp((internalValue - d.A) / (d.B - d.A), 0.0, 1.0),
            DimensionKind.Log => Math.Clamp((Math.Log(internalValue) - d.A) / (d.B - d.A), 0.0, 1.0),
            DimensionKind.IntLog => Math.Clamp((Math.Log(internalValue) - d.A) / (d.B - d.A), 0.0, 1.0),
            DimensionKind.FloatGrid => (((FloatDistribution)d.Distribution).GridIndex(internalValue) + 0.5) / d.Count,
            DimensionKind.IntGrid => ((((long)internalValue - (long)d.A) / ((IntDistribution)d.Distribution).Step) + 0.5) / d.Count,
            _ => (internalValue + 0.5) / d.Count,
        };
    }

    /// <summary>Maps a unit-cube coordinate of dimension <paramref name="dim"/> to the internal value it stands for.</summary>
    public double FromUnit(int dim, double u)
    {
        Dimension d = dims[dim];
        if (double.IsNaN(u))
        {
            throw new ArgumentException($"The unit-cube coordinate of active parameter '{Space.Parameters[dim].Name}' is NaN.", nameof(u));
        }

        u = Math.Clamp(u, 0.0, 1.0);
        switch (d.Kind)
        {
            case DimensionKind.Linear:
                return Math.Clamp(d.A + (u * (d.B - d.A)), d.A, d.B);
            case DimensionKind.Log:
                var f = (FloatDistribution)d.Distribution;
                return Math.Clamp(Math.Exp(d.A + (u * (d.B - d.A))), f.Low, f.High);
            case DimensionKind.IntLog:
                var n = (IntDistribution)d.Distribution;
                return Math.Clamp(Math.Round(Math.Exp(d.A + (u * (d.B - d.A)))), n.Low, n.High);
            default:
                long k = Math.Min((long)Math.Floor(u * d.Count), d.Count - 1);
                return d.Kind switch
                {
                    DimensionKind.FloatGrid => ((FloatDistribution)d.Distribution).GridValue(k),
                    DimensionKind.IntGrid => (long)d.A + (k * ((IntDistribution)d.Distribution).Step),
                    _ => k,
                };
        }
    }

    /// <summary>Determines whether dimension <paramref name="dim"/> is active given the internal values of earlier dimensions (NaN = inactive).</summary>
    public bool IsActive(int dim, ReadOnlySpan<double> internals)
    {
        Dimension d = dims[dim];
        if (d.Parent < 0)
        {
            return true;
        }

        double parent = internals[d.Parent];
        return !double.IsNaN(parent) && d.Allowed![(int)parent];
    }

    /// <summary>Encodes typed parameter values into the unit cube (NaN for parameters that are absent).</summary>
    public void Encode(IReadOnlyDictionary<string, object> values, Span<double> unit)
    {
        for (int i = 0; i < dims.Length; i++)
        {
            unit[i] = values.TryGetValue(Space.Parameters[i].Name, out object? v)
                ? ToUnit(i, dims[i].Distribution.ToInternal(v))
                : double.NaN;
        }
    }

    public double[] Encode(IReadOnlyDictionary<string, object> values)
    {
        var unit = new double[dims.Length];
        Encode(values, unit);
        return unit;
    }

    /// <summary>Encodes typed values as internal values (NaN for absent parameters).</summary>
    public double[] ToInternals(IReadOnlyDictionary<string, object> values)
    {
        var result = new double[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            result[i] = values.TryGetValue(Space.Parameters[i].Name, out object? v) ? dims[i].Distribution.ToInternal(v) : double.NaN;
        }

        return result;
    }

    /// <summary>
    /// Decodes a point of the unit cube into internal values: inactive dimensions become NaN whatever their coordinate,
    /// active ones must have a coordinate.
    /// </summary>
    public double[] DecodeInternals(ReadOnlySpan<double> unit)
    {
        var internals = new double[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            internals[i] = IsActive(i, internals) ? FromUnit(i, unit[i]) : double.NaN;
        }

        return internals;
    }

    /// <summary>Turns internal values (NaN = inactive) into typed values by name.</summary>
    public IReadOnlyDictionary<string, object> ToExternals(ReadOnlySpan<double> internals)
    {
        var result = new Dictionary<string, object>(dims.Length, StringComparer.Ordinal);
        for (int i = 0; i < dims.Length; i++)
        {
            if (!double.IsNaN(internals[i]))
            {
                result[Space.Parameters[i].Name] = dims[i].Distribution.ToExternal(internals[i]);
            }
        }

        return new ReadOnlyDictionary<string, object>(result);
    }

    /// <summary>Decodes a point of the unit cube into typed values of its active parameters.</summary>
    public IReadOnlyDictionary<string, object> Decode(ReadOnlySpan<double> unit) => ToExternals(DecodeInternals(unit));

    /// <summary>
    /// Counts the distinct points of a finite space (conditional parameters counted only where active), or returns
    /// <see langword="null"/> when the space is continuous or has more than <paramref name="limit"/> points.
    /// </summary>
    public long? CountPoints(long limit)
    {
        if (!IsFinite)
        {
            return null;
        }

        long count = CountFrom(0, new double[dims.Length], limit);
        return count > limit ? null : count;
    }

    /// <summary>Enumerates every point of a finite space as internal values (NaN = inactive), in a fixed order.</summary>
    public IEnumerable<double[]> EnumeratePoints()
    {
        var current = new double[dims.Length];
        return EnumerateFrom(0, current);
    }

    private IEnumerable<double[]> EnumerateFrom(int dim, double[] current)
    {
        if (dim == dims.Length)
        {
            yield return (double[])current.Clone();
            yield break;
        }

        if (!IsActive(dim, current))
        {
            current[dim] = double.NaN;
            foreach (double[] p in EnumerateFrom(dim + 1, current))
            {
                yield return p;
            }

            yield break;
        }

        for (long k = 0; k < dims[dim].Count; k++)
        {
            current[dim] = ValueAt(dim, k);
            foreach (double[] p in EnumerateFrom(dim + 1, current))
            {
                yield return p;
            }
        }
    }

    /// <summary>
    /// Gets the <paramref name="k"/>-th value of a discrete dimension. Log-scaled integers do not have equal-width bins in the
    /// cube, so bin centres would repeat small values and skip large ones: their values are listed directly.
    /// </summary>
    private double ValueAt(int dim, long k) => dims[dim].Kind == DimensionKind.IntLog
        ? ((IntDistribution)dims[dim].Distribution).Low + k
        : FromUnit(dim, (k + 0.5) / dims[dim].Count);

    private long CountFrom(int dim, double[] current, long limit)
    {
        if (dim == dims.Length)
        {
            return 1;
        }

        if (!IsActive(dim, current))
        {
            current[dim] = double.NaN;
            return CountFrom(dim + 1, current, limit);
        }

        // Only categorical parents change which later dimensions are active; other dimensions multiply.
        if (dims[dim].Kind != DimensionKind.Categorical || !dims.Any(d => d.Parent == dim))
        {
            current[dim] = FromUnit(dim, 0.5 / dims[dim].Count);
            long rest = CountFrom(dim + 1, current, limit);
            return rest > limit / dims[dim].Count ? limit + 1 : rest * dims[dim].Count;
        }

        long total = 0;
        for (long k = 0; k < dims[dim].Count; k++)
        {
            current[dim] = k;
            total += CountFrom(dim + 1, current, limit);
            if (total > limit)
            {
                return limit + 1;
            }
        }

        return total;
    }

    private enum DimensionKind
    {
        Linear,
        Log,
        FloatGrid,
        IntGrid,
        IntLog,
        Categorical,
    }

    private readonly record struct Dimension(DimensionKind Kind, double A, double B, long Count, int Parent, bool[]? Allowed, Distribution Distribution);
}
