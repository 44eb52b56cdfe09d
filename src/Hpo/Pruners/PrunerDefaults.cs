namespace Hpo.Pruners;

/// <summary>The default values of the pruners' options, in one place.</summary>
internal static class PrunerDefaults
{
    public const int StartupTrials = 5;
    public const long WarmupSteps = 0;
    public const long Interval = 1;
    public const int MinReferenceTrials = 1;
    public const bool CompareBestSoFar = true;
    public const double Percentile = 25.0;
    public const long MinResource = 1;
    public const int ReductionFactor = 3;
    public const int MinEarlyStoppingRate = 0;
}
