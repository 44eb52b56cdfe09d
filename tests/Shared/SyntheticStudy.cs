using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Tests.Shared;

/// <summary>
/// Writes a synthetic distributed study straight through the storage primitives, as several workers would: a log-scaled float,
/// an integer, a categorical and a conditional float; a known objective; three intermediate values per trial; and, at fixed
/// rates, pruned, failed and lost (stale, then retried) trials. Used by the visualisation tests and the 100,000-trial benchmark.
/// </summary>
internal static class SyntheticStudy
{
    /// <summary>Gets the search space.</summary>
    public static SearchSpace Space { get; } = new SearchSpaceBuilder()
        .AddFloat("lr", 1e-5, 1e-1, log: true)
        .AddInt("units", 8, 256)
        .AddCategorical("optimizer", "sgd", "adam")
        .AddFloat("momentum", 0.0, 0.99, condition: ParameterCondition.When("optimizer", "sgd"))
        .Build();

    /// <summary>The objective: the distance of log10(lr) from -3 dominates, units matter a little, the optimizer a little more.</summary>
    public static double Objective(IReadOnlyDictionary<string, object> p)
    {
        double lr = Math.Log10((double)p["lr"]) + 3;
        double units = ((long)p["units"] - 128) / 128.0;
        double opt = (string)p["optimizer"] == "adam" ? 0 : 0.3;
        return (lr * lr) + (0.1 * units * units) + opt;
    }

    /// <summary>Creates the study and writes <paramref name="trials"/> finished trials (plus their retries) from <paramref name="workers"/> owners.</summary>
    /// <returns>The study.</returns>
    public static async Task<StudyRecord> CreateAsync(IStudyStorage storage, string name, int trials, int workers = 4, int seed = 0, CancellationToken cancellationToken = default)
    {
        StudyRecord study = await storage.CreateStudyAsync(new StudyDefinition
        {
            Name = name,
            SearchSpace = Space,
            Directions = [StudyDirection.Minimize],
            TunerName = "random",
            Seed = seed,
            MaxRetries = 1,
            RetryOn = RetryOn.LostWorker,
        }, cancellationToken).ConfigureAwait(false);
        await AddTrialsAsync(storage, study, trials, workers, seed, cancellationToken).ConfigureAwait(false);
        return study;
    }

    /// <summary>Writes <paramref name="trials"/> more finished trials to a study of <see cref="Space"/>.</summary>
    /// <returns>A task that completes when they are written.</returns>
    public static async Task AddTrialsAsync(IStudyStorage storage, StudyRecord study, int trials, int workers = 4, int seed = 0, CancellationToken cancellationToken = default)
    {
        int perWorker = trials / workers, extra = trials % workers;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() =>
            WorkerAsync(storage, study.Id, $"host-{w}/pid-{1000 + w}", perWorker + (w < extra ? 1 : 0), seed * 1000 + w, cancellationToken), cancellationToken))).ConfigureAwait(false);
    }

    private static async Task WorkerAsync(IStudyStorage storage, long studyId, string owner, int count, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        int done = 0;
        while (done < count)
        {
            TrialRecord? trial = await storage.StartTrialAsync(studyId, owner, cancellationToken).ConfigureAwait(false);
            if (trial is null)
            {
                return;
            }

            IReadOnlyDictionary<string, object> p = trial.Parameters;
            if (p.Count == 0)
            {
                bool sgd = random.Next(2) == 0;
                var drawn = new Dictionary<string, object>
                {
                    ["lr"] = Math.Pow(10, -5 + (4 * random.NextDouble())),
                    ["units"] = (long)random.Next(8, 257),
                    ["optimizer"] = sgd ? "sgd" : "adam",
                };
                if (sgd)
                {
                    drawn["momentum"] = 0.99 * random.NextDouble();
                }

                p = (await storage.SetTrialParametersAsync(trial.Id, drawn, cancellationToken).ConfigureAwait(false)).Parameters;
            }

            double value = Objective(p);
            double roll = random.NextDouble();
            if (roll < 0.01 && TrialRetry.Attempt(trial) == 0)
            {
                // The worker is lost mid-trial: stale, and retried as a new trial.
                await storage.ReportIntermediateValueAsync(trial.Id, 0, value + 1, cancellationToken).ConfigureAwait(false);
                await storage.FailAbandonedTrialAsync(trial.Id, owner, "synthetic: worker lost", cancellationToken).ConfigureAwait(false);
                continue;
            }

            for (int step = 0; step < 3; step++)
            {
                await storage.ReportIntermediateValueAsync(trial.Id, step, value + (1.0 / (step + 1)), cancellationToken).ConfigureAwait(false);
            }

            TrialFinish finish = roll < 0.04
                ? new TrialFinish(TrialState.Failed, [], "synthetic: out of memory", typeof(InsufficientMemoryException).FullName)
                : roll < 0.14 ? new TrialFinish(TrialState.Pruned, [value + (1.0 / 3)]) : new TrialFinish(TrialState.Complete, [value]);
            await storage.FinishTrialAsync(trial.Id, finish, cancellationToken).ConfigureAwait(false);
            done++;
        }
    }
}
