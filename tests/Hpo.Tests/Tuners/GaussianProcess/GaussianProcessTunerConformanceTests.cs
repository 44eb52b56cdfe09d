using Hpo.Tuners;
using Hpo.Tuners.GaussianProcess;

namespace Hpo.Tests.Tuners.GaussianProcess;

/// <summary>
/// The Gaussian-process tuner against the promises of every tuner (<see cref="TunerConformanceTests"/>), with its default
/// options. A proposal costs a model fit, so the checks run shorter sequences and fewer seeds than for the cheap tuners.
/// </summary>
public sealed class GaussianProcessTunerConformanceTests : TunerConformanceTests
{
    protected override int BoundsTrials => 25;

    protected override int ReproducibilityTrials => 14;

    protected override int ComparisonSeeds => 10;

    protected override int ComparisonBudget => 30;

    protected override ITuner CreateTuner() => new GaussianProcessTuner();

    protected override ITuner? CreateTuner(int optionsSeed) => new GaussianProcessTuner(new GaussianProcessTunerOptions { Seed = optionsSeed });
}
