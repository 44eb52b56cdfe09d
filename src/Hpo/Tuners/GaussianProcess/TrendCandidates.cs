namespace Hpo.Tuners.GaussianProcess;

/// <summary>
/// Points the quadratic trend suggests beyond the trust region: the trend's minimiser, and the incumbent with one numeric
/// coordinate moved to the minimiser's value. The trust region keeps the acquisition search near the incumbent, where a
/// stationary model's expected improvement lives; a bowl's trend can say that the incumbent sits one ripple away from the
/// bowl's bottom on a few coordinates, which no search inside the region sees. The candidates are scored by the same
/// acquisition as the region's optimum, so they are proposed only when the model expects more of them.
/// </summary>
internal static class TrendCandidates
{
    /// <summary>
    /// Gets the candidates from the heaviest model with a trend mean, or none when no model has one.
    /// </summary>
    /// <param name="space">The space view.</param>
    /// <param name="models">The mixture's models.</param>
    /// <param name="weights">Their weights.</param>
    /// <param name="incumbent">The incumbent's point (inactive coordinates filled).</param>
    /// <returns>The minimiser first, then the single-coordinate moves that change the incumbent.</returns>
    public static List<double[]> For(GaussianProcessSpace space, IReadOnlyList<GaussianProcessModel> models, IReadOnlyList<double> weights, double[] incumbent)
    {
        var result = new List<double[]>();
        int heaviest = -1;
        for (int k = 0; k < models.Count; k++)
        {
            if (models[k].MeanCoefficients.Length > 1 && (heaviest < 0 || weights[k] > weights[heaviest]))
            {
                heaviest = k;
            }
        }

        if (heaviest < 0)
        {
            return result;
        }

        double[] minimiser = TrendMean.Minimiser(models[heaviest].MeanCoefficients, space.Numeric);
        double[] whole = (double[])incumbent.Clone();
        for (int i = 0; i < space.Dimensions; i++)
        {
            int f = space.FeatureOf[i];
            if (space.Kinds[i] == GpDimensionKind.Categorical || f >= space.Numeric)
            {
                continue;
            }

            double moved = space.Snap(i, minimiser[f]);
            whole[i] = moved;
            if (moved != incumbent[i])
            {
                double[] single = (double[])incumbent.Clone();
                single[i] = moved;
                result.Add(single);
            }
        }

        result.Insert(0, whole);
        return result;
    }
}
