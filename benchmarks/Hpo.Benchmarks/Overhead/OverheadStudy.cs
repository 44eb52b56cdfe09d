using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;

namespace Hpo.Benchmarks.Overhead;

/// <summary>The trivial study of the framework-overhead benchmark: one float x in [-10, 10], objective x squared.</summary>
public static class OverheadStudy
{
    /// <summary>Gets the search space.</summary>
    public static SearchSpace Space { get; } = new SearchSpaceBuilder().AddFloat("x", -10.0, 10.0).Build();

    /// <summary>Creates a study of the trivial problem.</summary>
    /// <param name="storage">The storage.</param>
    /// <param name="name">The study's name.</param>
    /// <param name="tuner">The tuner's registered name.</param>
    /// <param name="budget">The study's budget.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The study.</returns>
    public static Task<Study> CreateAsync(IStudyStorage storage, string name, string tuner, int budget, CancellationToken cancellationToken = default) =>
        Study.CreateAsync(storage, name, Space, new StudyOptions { Tuner = TunerRegistry.Create(tuner), Seed = 0, Budget = budget }, cancellationToken);

    /// <summary>Runs a study to its budget with <see cref="Study.OptimizeAsync(Objectives.IObjective, OptimizeOptions?, CancellationToken)"/>'s default options.</summary>
    /// <param name="study">The study.</param>
    /// <param name="cancellationToken">A token to cancel the run.</param>
    /// <returns>How many times this process evaluated the objective.</returns>
    public static async Task<long> RunAsync(Study study, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(study);
        long evaluations = 0;
        await study.OptimizeAsync(
            (ITrial trial) =>
            {
                Interlocked.Increment(ref evaluations);
                double x = trial.Get<double>("x");
                return x * x;
            },
            options: null,
            cancellationToken).ConfigureAwait(false);
        return Interlocked.Read(ref evaluations);
    }
}
