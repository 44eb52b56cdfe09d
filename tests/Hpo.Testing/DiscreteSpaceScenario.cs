using System.Globalization;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Trials;
using Xunit;

namespace Hpo.Testing;

/// <summary>
/// Tuners under concurrency: a discrete space of <see cref="Points"/> points and a budget of as many trials, run by several workers
/// with the random tuner, must try every point exactly once (each proposal has to see the points of the other workers' trials).
/// </summary>
public static class DiscreteSpaceScenario
{
    private static readonly string[] Colours = ["amber", "blue", "green", "red"];

    /// <summary>Gets the space: an integer a in 0..9 and a categorical colour of four choices.</summary>
    public static SearchSpace Space { get; } = SearchSpace.CreateBuilder()
        .AddInt("a", 0, 9)
        .AddCategorical("colour", [.. Colours])
        .Build();

    /// <summary>Gets the number of points in <see cref="Space"/>, which is also the study's budget.</summary>
    public static int Points => 10 * Colours.Length;

    /// <summary>Runs <paramref name="processes"/> worker processes on one study of <see cref="Space"/> until the budget is spent.</summary>
    public static async Task<IReadOnlyList<TrialRecord>> RunWorkersAsync(string url, IStudyStorage storage, int processes, string study = "discrete")
    {
        var workers = new List<TestWorkerProcess>();
        try
        {
            for (int i = 0; i < processes; i++)
            {
                workers.Add(TestWorkerProcess.Run(url, study, Points, seed: 17, lease: TimeSpan.FromSeconds(30), sleep: TimeSpan.FromMilliseconds(20), space: Space));
            }

            foreach (TestWorkerProcess w in workers)
            {
                int exit = await w.WaitForExitAsync(TimeSpan.FromSeconds(90));
                Assert.True(exit == 0, $"Worker {w.Id} exited with {exit}.{w.Describe()}");
            }

            StudyRecord record = await storage.GetStudyAsync(study, CancellationToken.None) ?? throw new InvalidOperationException("The study is missing.");
            IReadOnlyList<TrialRecord> trials = await storage.GetTrialsAsync(record.Id, CancellationToken.None);
            int owners = trials.Select(t => t.Owner!.Split(':')[1]).Distinct().Count();
            Assert.True(owners >= 2, $"Only {owners} process(es) ran trials: the workers did not overlap.");
            return trials;
        }
        finally
        {
            foreach (TestWorkerProcess w in workers)
            {
                w.Dispose();
            }
        }
    }

    /// <summary>Asserts that the trials are <see cref="Points"/> complete ones, one at each point of <see cref="Space"/>.</summary>
    public static void AssertEveryPointOnce(IReadOnlyList<TrialRecord> trials)
    {
        Assert.Equal(Enumerable.Range(0, Points), trials.Select(t => t.Number));
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
        IEnumerable<string> all = Enumerable.Range(0, 10).SelectMany(a => Colours.Select(c => Key(a, c)));
        List<string> tried = [.. trials.Select(t => Key(t.Parameters["a"], t.Parameters["colour"]))];
        string repeated = string.Join(", ", tried.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => $"{g.Key} x{g.Count()}"));
        Assert.True(repeated.Length == 0, $"Points tried more than once: {repeated}.");
        Assert.Equal(all.Order(StringComparer.Ordinal), tried.Order(StringComparer.Ordinal));
    }

    private static string Key(object a, object colour) => string.Create(CultureInfo.InvariantCulture, $"{a}/{colour}");
}
