using System.Collections.ObjectModel;
using Hpo.SearchSpaces;

namespace Hpo.Tuners;

/// <summary>
/// A point being built one dimension at a time, in parameter order (parents before their children), as unit-cube coordinates
/// and internal values side by side. A parameter copied from a trial keeps that trial's exact value (a round trip through the
/// unit cube may change a log-scaled float in its last bits); a new coordinate is snapped to what it decodes to, so that the
/// finished point is canonical and can be compared exactly with the trials' points.
/// </summary>
internal sealed class PointDraft
{
    private readonly UnitCubeEncoding encoding;

    public PointDraft(UnitCubeEncoding encoding)
    {
        this.encoding = encoding;
        Unit = new double[encoding.Dimensions];
        Internals = new double[encoding.Dimensions];
    }

    private PointDraft(PointDraft other)
    {
        encoding = other.encoding;
        Unit = (double[])other.Unit.Clone();
        Internals = (double[])other.Internals.Clone();
    }

    /// <summary>Gets the canonical unit-cube coordinates (NaN where inactive).</summary>
    public double[] Unit { get; }

    /// <summary>Gets the internal values (NaN where inactive).</summary>
    public double[] Internals { get; }

    /// <summary>Determines whether dimension <paramref name="dim"/> is active given the dimensions before it.</summary>
    public bool IsActive(int dim) => encoding.IsActive(dim, Internals);

    /// <summary>Marks dimension <paramref name="dim"/> inactive.</summary>
    public void Clear(int dim)
    {
        Unit[dim] = double.NaN;
        Internals[dim] = double.NaN;
    }

    /// <summary>Copies dimension <paramref name="dim"/> from a trial in which it is active.</summary>
    public void Copy(int dim, EncodedTrial from)
    {
        Unit[dim] = from.Unit[dim];
        Internals[dim] = from.Internals[dim];
    }

    /// <summary>Sets dimension <paramref name="dim"/> to the value a unit-cube coordinate stands for.</summary>
    public void Set(int dim, double unit)
    {
        double value = encoding.FromUnit(dim, unit);
        Internals[dim] = value;
        Unit[dim] = encoding.ToUnit(dim, value);
    }

    public PointDraft Clone() => new(this);

    /// <summary>Gets the typed values of the active parameters.</summary>
    public IReadOnlyDictionary<string, object> ToParameters() => encoding.ToExternals(Internals);

    /// <summary>Builds a draft from unit-cube coordinates, in [0, 1] where active (inactive coordinates are ignored).</summary>
    public static PointDraft FromUnit(UnitCubeEncoding encoding, ReadOnlySpan<double> unit)
    {
        var draft = new PointDraft(encoding);
        for (int j = 0; j < unit.Length; j++)
        {
            if (draft.IsActive(j))
            {
                draft.Set(j, unit[j]);
            }
            else
            {
                draft.Clear(j);
            }
        }

        return draft;
    }

    /// <summary>
    /// Draws uniform points until one repeats no trial of <paramref name="history"/>, at most <paramref name="attempts"/> times
    /// (in a finite space that is nearly exhausted the last draw is returned even if it repeats).
    /// </summary>
    public static PointDraft Fresh(UnitCubeEncoding encoding, EncodedHistory history, Random random, int attempts)
    {
        double[] unit = new double[encoding.Dimensions];
        PointDraft draft;
        int attempt = 0;
        do
        {
            for (int j = 0; j < unit.Length; j++)
            {
                unit[j] = random.NextDouble();
            }

            draft = FromUnit(encoding, unit);
        }
        while (++attempt < attempts && history.Contains(draft.Unit));

        return draft;
    }

    /// <summary>Gets an empty set of parameters, the proposal in a space without parameters.</summary>
    public static IReadOnlyDictionary<string, object> NoParameters { get; } = new ReadOnlyDictionary<string, object>(new Dictionary<string, object>());
}
