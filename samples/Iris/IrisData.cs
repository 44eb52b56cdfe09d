using System.Globalization;
using Hpo.TorchSharp.Objectives;
using static TorchSharp.torch;

namespace Hpo.Samples.Iris;

/// <summary>data/iris.csv as arrays, with the stratified splits and standardization the MLP study uses.</summary>
internal sealed class IrisData
{
    private IrisData(float[][] features, long[] labels)
    {
        Features = features;
        Labels = labels;
    }

    public float[][] Features { get; }

    public long[] Labels { get; }

    public static IrisData Load(string path)
    {
        var features = new List<float[]>();
        var labels = new List<long>();
        foreach (string line in File.ReadLines(path).Skip(1).Where(l => !string.IsNullOrWhiteSpace(l)))
        {
            string[] cells = line.Split(',');
            features.Add([.. cells.Take(4).Select(c => float.Parse(c, CultureInfo.InvariantCulture))]);
            labels.Add((long)float.Parse(cells[4], CultureInfo.InvariantCulture));
        }

        return new IrisData([.. features], [.. labels]);
    }

    /// <summary>Takes <paramref name="perClass"/> random rows of each class (from <paramref name="rows"/>, or all rows) aside.</summary>
    /// <returns>The rows taken and the others, each in file order.</returns>
    public (int[] Taken, int[] Others) StratifiedSplit(int perClass, Random random, int[]? rows = null)
    {
        rows ??= [.. Enumerable.Range(0, Labels.Length)];
        var taken = new List<int>();
        foreach (IGrouping<long, int> group in rows.GroupBy(r => Labels[r]).OrderBy(g => g.Key))
        {
            int[] members = [.. group];
            random.Shuffle(members);
            taken.AddRange(members.Take(perClass));
        }

        int[] takenRows = [.. taken.Order()];
        return (takenRows, [.. rows.Except(takenRows).Order()]);
    }

    /// <summary>The mean and standard deviation of each feature over some rows.</summary>
    public (float[] Mean, float[] Scale) Standardization(int[] rows)
    {
        float[] mean = new float[4];
        float[] scale = new float[4];
        for (int j = 0; j < 4; j++)
        {
            double m = rows.Average(r => Features[r][j]);
            double sd = Math.Sqrt(rows.Average(r => Math.Pow(Features[r][j] - m, 2)));
            mean[j] = (float)m;
            scale[j] = (float)Math.Max(sd, 1e-6);
        }

        return (mean, scale);
    }

    public TensorData ToTensors(int[] rows, float[] mean, float[] scale)
    {
        float[] x = new float[rows.Length * 4];
        long[] y = new long[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                x[(i * 4) + j] = (Features[rows[i]][j] - mean[j]) / scale[j];
            }

            y[i] = Labels[rows[i]];
        }

        return new TensorData(tensor(x, [rows.Length, 4]), tensor(y));
    }
}
