namespace Hpo.Visualization.Importance;

/// <summary>
/// The functional ANOVA of a regression tree (Hutter, Hoos and Leyton-Brown, "An efficient approach for assessing
/// hyperparameter importance", ICML 2014), computed exactly from the tree's leaves: the tree is a piecewise-constant function on
/// the box of the features' ranges, the marginal of feature <c>j</c> (the mean over every other feature, uniformly) is piecewise
/// constant between the tree's thresholds on <c>j</c>, and the main-effect variance of <c>j</c> is the variance of that marginal
/// over <c>j</c>'s range. Its fraction of the tree's total variance is <c>j</c>'s importance in that tree.
/// </summary>
internal static class Fanova
{
    /// <summary>Computes each feature's main-effect variance fraction in one tree, or <see langword="null"/> when the tree is constant over the box.</summary>
    /// <param name="tree">The tree.</param>
    /// <param name="low">The low end of each feature's range.</param>
    /// <param name="high">The high end of each feature's range.</param>
    /// <param name="presentLow">For each feature, the low end of its real values; below it lies the "absent" cell of a conditional
    /// parameter, whose only sample value is <paramref name="low"/>. A split threshold inside that cell separates exactly the absent
    /// trials from the rest, so it is moved to the cell's top. <see langword="null"/> when no feature has an absent cell.</param>
    /// <returns>The fractions, one per feature, or <see langword="null"/>.</returns>
    public static double[]? MainEffectFractions(RegressionTree tree, double[] low, double[] high, double[]? presentLow = null)
    {
        int d = low.Length;
        var leaves = new List<(double[] Lo, double[] Hi, double Value)>();
        var stack = new Stack<(int Node, double[] Lo, double[] Hi)>();
        stack.Push((0, (double[])low.Clone(), (double[])high.Clone()));
        var thresholds = new List<double>[d];
        for (int j = 0; j < d; j++)
        {
            thresholds[j] = [];
        }

        while (stack.Count > 0)
        {
            (int node, double[] lo, double[] hi) = stack.Pop();
            int f = tree.Feature(node);
            if (f < 0)
            {
                leaves.Add((lo, hi, tree.Value(node)));
                continue;
            }

            double t = tree.Threshold(node);
            if (presentLow is not null && t < presentLow[f])
            {
                t = presentLow[f];
            }

            t = Math.Clamp(t, lo[f], hi[f]);
            thresholds[f].Add(t);
            double[] leftHi = (double[])hi.Clone();
            leftHi[f] = t;
            double[] rightLo = (double[])lo.Clone();
            rightLo[f] = t;
            stack.Push((tree.Left(node), lo, leftHi));
            stack.Push((tree.Right(node), rightLo, hi));
        }

        // The weight of each leaf is the fraction of the box's volume it covers.
        var width = new double[d];
        for (int j = 0; j < d; j++)
        {
            width[j] = high[j] - low[j];
        }

        double mean = 0;
        var weights = new double[leaves.Count];
        for (int l = 0; l < leaves.Count; l++)
        {
            double w = 1;
            for (int j = 0; j < d; j++)
            {
                w *= width[j] > 0 ? (leaves[l].Hi[j] - leaves[l].Lo[j]) / width[j] : 1;
            }

            weights[l] = w;
            mean += w * leaves[l].Value;
        }

        double total = 0;
        for (int l = 0; l < leaves.Count; l++)
        {
            double dv = leaves[l].Value - mean;
            total += weights[l] * dv * dv;
        }

        if (!(total > 1e-300))
        {
            return null;
        }

        var fractions = new double[d];
        for (int j = 0; j < d; j++)
        {
            if (thresholds[j].Count == 0 || !(width[j] > 0))
            {
                continue;
            }

            double[] cuts = [.. thresholds[j].Append(low[j]).Append(high[j]).Distinct().Order()];
            int cells = cuts.Length - 1;
            // Difference array over the cells: each leaf adds its value times its weight in the other features to the cells it spans.
            var delta = new double[cells + 1];
            for (int l = 0; l < leaves.Count; l++)
            {
                double wj = (leaves[l].Hi[j] - leaves[l].Lo[j]) / width[j];
                if (!(wj > 0))
                {
                    continue;
                }

                double other = weights[l] / wj;
                int from = Array.BinarySearch(cuts, leaves[l].Lo[j]);
                int to = Array.BinarySearch(cuts, leaves[l].Hi[j]);
                delta[from] += other * leaves[l].Value;
                delta[to] -= other * leaves[l].Value;
            }

            double running = 0, variance = 0;
            for (int c = 0; c < cells; c++)
            {
                running += delta[c];
                double fraction = (cuts[c + 1] - cuts[c]) / width[j];
                double dm = running - mean;
                variance += fraction * dm * dm;
            }

            fractions[j] = Math.Clamp(variance / total, 0, 1);
        }

        return fractions;
    }
}
