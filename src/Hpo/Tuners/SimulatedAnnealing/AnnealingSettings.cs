namespace Hpo.Tuners.SimulatedAnnealing;

/// <summary>The options of a <see cref="SimulatedAnnealingTuner"/> resolved for one space, budget and seed: the schedule and the acceptance draws.</summary>
internal sealed class AnnealingSettings
{
    /// <summary>The number of recent losses whose spread standardizes differences.</summary>
    public const int ScaleWindow = 20;

    /// <summary>The probability that each active parameter moves in a neighbour (at least one always does).</summary>
    public const double MoveRate = 0.5;

    /// <summary>The smallest numeric step, as a fraction of the unit cube.</summary>
    public const double MinStep = 0.005;

    private readonly SimulatedAnnealingTunerOptions options;
    private readonly int acceptanceSeed;
    private readonly int horizon;
    private readonly bool cyclic;

    public AnnealingSettings(SimulatedAnnealingTunerOptions options, int dimensions, int seed, int? budget)
    {
        this.options = options;
        InitialTrials = options.InitialTrials;
        cyclic = budget is not int b || b <= InitialTrials;
        horizon = cyclic ? options.OpenEndedCycle + InitialTrials : budget!.Value;
        RestartPatience = options.RestartPatience ?? Math.Max(10, 3 * dimensions);
        acceptanceSeed = TunerContext.DeriveSeed(seed, -2);
    }

    public int InitialTrials { get; }

    public int RestartPatience { get; }

    /// <summary>Gets the fraction of the schedule done when trial <paramref name="number"/> is proposed, in [0, 1].</summary>
    public double Progress(int number)
    {
        int steps = Math.Max(1, horizon - InitialTrials);
        int done = Math.Max(0, number - InitialTrials);
        if (cyclic)
        {
            done %= steps; // open-ended: reheat after each cycle
        }

        return Math.Min(1.0, (double)done / steps);
    }

    /// <summary>Gets the temperature at which trial <paramref name="number"/> is proposed and judged.</summary>
    public double Temperature(int number)
    {
        double p = Progress(number);
        double t0 = options.InitialTemperature;
        double t1 = options.FinalTemperature;
        return options.Schedule == AnnealingSchedule.Linear ? t0 + ((t1 - t0) * p) : t0 * Math.Pow(t1 / t0, p);
    }

    /// <summary>Gets the standard deviation of a numeric step of trial <paramref name="number"/>: it shrinks as the square root of the temperature.</summary>
    public double Step(int number) =>
        Math.Clamp(options.StepScale * Math.Sqrt(Temperature(number) / options.InitialTemperature), MinStep, 1.0);

    /// <summary>A uniform number in [0, 1) for the acceptance test of trial <paramref name="number"/>, a pure function of the seed.</summary>
    public double Uniform(int number) => TunerContext.DeriveSeed(acceptanceSeed, number) / 2147483648.0;
}
