using Hpo.Trials;
using MathNet.Numerics.Statistics;

namespace Hpo.Visualization.Importance;

/// <summary>One parameter's importance.</summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="Importance">Its share of the summed main effects, in [0, 1]; the shares of the evaluated parameters add up to 1
/// (0 each when the objective does not vary).</param>
/// <param name="VarianceFraction">Its main effect: the fraction of the objective's variance it explains alone, averaged over the
/// forest's trees (the shares of interactions are what the fractions leave below 1).</param>
/// <param name="StandardDeviation">The standard deviation of <see cref="VarianceFraction"/> across the trees.</param>
public readonly record struct ImportanceEntry(string Name, double Importance, double VarianceFraction, double StandardDeviation);
