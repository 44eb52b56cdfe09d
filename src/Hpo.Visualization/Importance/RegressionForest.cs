namespace Hpo.Visualization.Importance;

/// <summary>
/// A random forest of regression trees (CART, squared error, bootstrap samples, every feature considered at every split, split
/// thresholds half-way between neighbouring values) — the model that fANOVA decomposes.
/// </summary>
internal sealed class RegressionForest
{
    private RegressionForest(IReadOnlyList<RegressionTree> trees) => Trees = trees;

    /// <summary>Gets the trees.</summary>
    public IReadOnlyList<RegressionTree> Trees { get; }

    /// <summary>Fits a forest.</summary>
    /// <param name="x">The rows of features.</param>
    /// <param name="y">The targets.</param>
    /// <param name="treeCount">How many trees.</param>
    /// <param name="maxDepth">The deepest a tree grows.</param>
    /// <param name="minSamplesLeaf">The fewest samples in a leaf.</param>
    /// <param name="random">The source of the bootstrap samples.</param>
    /// <returns>The forest.</returns>
    public static RegressionForest Fit(double[][] x, double[] y, int treeCount, int maxDepth, int minSamplesLeaf, Random random)
    {
        var trees = new List<RegressionTree>(treeCount);
        int n = y.Length;
        for (int t = 0; t < treeCount; t++)
        {
            var sample = new int[n];
            for (int i = 0; i < n; i++)
            {
                sample[i] = random.Next(n);
            }

            trees.Add(RegressionTree.Fit(x, y, sample, maxDepth, minSamplesLeaf));
        }

        return new RegressionForest(trees);
    }
}

/// <summary>A regression tree stored as flat arrays; a node with feature -1 is a leaf.</summary>
internal sealed class RegressionTree
{
    private readonly List<int> feature = [];
    private readonly List<double> threshold = [];
    private readonly List<int> left = [];
    private readonly List<int> right = [];
    private readonly List<double> value = [];

    /// <summary>Gets the number of nodes.</summary>
    public int NodeCount => feature.Count;

    /// <summary>Gets the split feature of a node, or -1 for a leaf.</summary>
    public int Feature(int node) => feature[node];

    /// <summary>Gets a split node's threshold: rows with a feature value below it go left.</summary>
    public double Threshold(int node) => threshold[node];

    /// <summary>Gets a split node's left child.</summary>
    public int Left(int node) => left[node];

    /// <summary>Gets a split node's right child.</summary>
    public int Right(int node) => right[node];

    /// <summary>Gets a leaf's value (the mean target of its samples).</summary>
    public double Value(int node) => value[node];

    /// <summary>Predicts a row's target.</summary>
    public double Predict(double[] row)
    {
        int node = 0;
        while (feature[node] >= 0)
        {
            node = row[feature[node]] < threshold[node] ? left[node] : right[node];
        }

        return value[node];
    }

    /// <summary>Fits one tree to the rows <paramref name="sample"/> names (with repeats).</summary>
    public static RegressionTree Fit(double[][] x, double[] y, int[] sample, int maxDepth, int minSamplesLeaf)
    {
        var tree = new RegressionTree();
        int features = x.Length == 0 ? 0 : x[0].Length;
        var stack = new Stack<(int Node, int[] Rows, int Depth)>();
        stack.Push((tree.AddLeaf(Mean(y, sample)), sample, 0));
        var order = new int[sample.Length];
        while (stack.Count > 0)
        {
            (int node, int[] rows, int depth) = stack.Pop();
            if (depth >= maxDepth || rows.Length < 2 * minSamplesLeaf)
            {
                continue;
            }

            double total = 0;
            foreach (int r in rows)
            {
                total += y[r];
            }

            double bestGain = 1e-12 * Math.Max(1, Variance(y, rows) * rows.Length);
            int bestFeature = -1;
            double bestThreshold = 0;
            for (int f = 0; f < features; f++)
            {
                Array.Copy(rows, order, rows.Length);
                Span<int> sorted = order.AsSpan(0, rows.Length);
                int feat = f;
                sorted.Sort((a, b) => x[a][feat].CompareTo(x[b][feat]));
                double leftSum = 0;
                int m = rows.Length;
                for (int i = 0; i < m - 1; i++)
                {
                    leftSum += y[sorted[i]];
                    double here = x[sorted[i]][f], next = x[sorted[i + 1]][f];
                    if (here == next || i + 1 < minSamplesLeaf || m - i - 1 < minSamplesLeaf)
                    {
                        continue;
                    }

                    int nl = i + 1, nr = m - nl;
                    double rightSum = total - leftSum;
                    // The reduction of the sum of squared errors, up to a constant: sum_l^2/n_l + sum_r^2/n_r - total^2/n.
                    double gain = (leftSum * leftSum / nl) + (rightSum * rightSum / nr) - (total * total / m);
                    if (gain > bestGain)
                    {
                        bestGain = gain;
                        bestFeature = f;
                        bestThreshold = here + ((next - here) / 2);
                    }
                }
            }

            if (bestFeature < 0)
            {
                continue;
            }

            int[] leftRows = [.. rows.Where(r => x[r][bestFeature] < bestThreshold)];
            int[] rightRows = [.. rows.Where(r => x[r][bestFeature] >= bestThreshold)];
            int l = tree.AddLeaf(Mean(y, leftRows));
            int rt = tree.AddLeaf(Mean(y, rightRows));
            tree.feature[node] = bestFeature;
            tree.threshold[node] = bestThreshold;
            tree.left[node] = l;
            tree.right[node] = rt;
            stack.Push((l, leftRows, depth + 1));
            stack.Push((rt, rightRows, depth + 1));
        }

        return tree;
    }

    private static double Mean(double[] y, int[] rows)
    {
        double s = 0;
        foreach (int r in rows)
        {
            s += y[r];
        }

        return rows.Length == 0 ? 0 : s / rows.Length;
    }

    private static double Variance(double[] y, int[] rows)
    {
        double mean = Mean(y, rows), s = 0;
        foreach (int r in rows)
        {
            s += (y[r] - mean) * (y[r] - mean);
        }

        return rows.Length == 0 ? 0 : s / rows.Length;
    }

    private int AddLeaf(double leafValue)
    {
        feature.Add(-1);
        threshold.Add(0);
        left.Add(-1);
        right.Add(-1);
        value.Add(leafValue);
        return feature.Count - 1;
    }
}
