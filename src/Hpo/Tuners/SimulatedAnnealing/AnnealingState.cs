using Hpo.Trials;

namespace Hpo.Tuners.SimulatedAnnealing;

/// <summary>
/// The state of the annealer — current point, best point, stagnation count, restarts and the window of recent losses that
/// standardizes differences — reached by replaying the finished trials in number order. <see cref="Advance"/> takes one more
/// finished trial, so a state built incrementally equals one replayed from the whole history.
/// </summary>
internal sealed class AnnealingState
{
    private readonly AnnealingSettings settings;
    private readonly double[] window;
    private readonly double[] scratch;
    private int windowCount;
    private int windowNext;

    public AnnealingState(AnnealingSettings settings)
    {
        this.settings = settings;
        window = new double[AnnealingSettings.ScaleWindow];
        scratch = new double[AnnealingSettings.ScaleWindow];
    }

    /// <summary>Gets the current point of the chain (canonical unit-cube coordinates), or <see langword="null"/> before any complete trial.</summary>
    public double[]? Current { get; private set; }

    /// <summary>Gets the loss of the current point.</summary>
    public double CurrentLoss { get; private set; } = double.PositiveInfinity;

    /// <summary>Gets the number of the trial at the current point, or -1.</summary>
    public int CurrentNumber { get; private set; } = -1;

    /// <summary>Gets the best loss so far.</summary>
    public double BestLoss { get; private set; } = double.PositiveInfinity;

    /// <summary>Gets the number of the best trial so far, or -1.</summary>
    public int BestNumber { get; private set; } = -1;

    /// <summary>Gets how many finished trials in a row did not improve on the best.</summary>
    public int SinceImprovement { get; private set; }

    /// <summary>Gets how many restarts have happened.</summary>
    public int Restarts { get; private set; }

    /// <summary>Gets the number of the last trial taken into account, or -1.</summary>
    public int LastNumber { get; private set; } = -1;

    /// <summary>Gets how many finished trials have been taken into account.</summary>
    public int Processed { get; private set; }

    private double[]? Best { get; set; }

    /// <summary>Replays every finished trial of a history, in number order.</summary>
    public static AnnealingState Replay(EncodedHistory history, AnnealingSettings settings)
    {
        var state = new AnnealingState(settings);
        foreach (EncodedTrial t in history.Trials)
        {
            if (t.State.IsFinished())
            {
                state.Advance(t);
            }
        }

        return state;
    }

    /// <summary>Takes one more finished trial into account; trials must come in increasing number order.</summary>
    /// <exception cref="ArgumentException">The trial's number is not above the last one taken.</exception>
    public void Advance(EncodedTrial trial)
    {
        if (trial.Number <= LastNumber)
        {
            throw new ArgumentException($"Trials must be replayed in increasing number order, but trial {trial.Number} came after trial {LastNumber}.", nameof(trial));
        }

        LastNumber = trial.Number;
        Processed++;
        if (!trial.HasLoss)
        {
            // A failed or pruned trial is a rejected move: it costs patience and changes nothing else.
            CountStagnation();
            return;
        }

        double loss = trial.Loss;
        bool accept;
        if (Current is null || loss <= CurrentLoss)
        {
            accept = true;
        }
        else if (trial.Number < settings.InitialTrials)
        {
            accept = false; // the initial random trials only choose the starting point: the best of them
        }
        else
        {
            double scale = Scale();
            accept = scale > 0 && settings.Uniform(trial.Number) < Math.Exp(-(loss - CurrentLoss) / scale / settings.Temperature(trial.Number));
        }

        Remember(loss);
        if (accept)
        {
            Current = trial.Unit;
            CurrentLoss = loss;
            CurrentNumber = trial.Number;
        }

        if (loss < BestLoss)
        {
            Best = trial.Unit;
            BestLoss = loss;
            BestNumber = trial.Number;
            SinceImprovement = 0;
        }
        else
        {
            CountStagnation();
        }
    }

    private void CountStagnation()
    {
        SinceImprovement++;
        if (settings.RestartPatience > 0 && SinceImprovement >= settings.RestartPatience && Best is not null)
        {
            // Stuck: go back to the best point, from which new neighbours are drawn.
            Current = Best;
            CurrentLoss = BestLoss;
            CurrentNumber = BestNumber;
            SinceImprovement = 0;
            Restarts++;
        }
    }

    private void Remember(double loss)
    {
        window[windowNext] = loss;
        windowNext = (windowNext + 1) % window.Length;
        windowCount = Math.Min(windowCount + 1, window.Length);
    }

    /// <summary>
    /// The spread of the recent losses that standardizes differences: their median absolute deviation scaled to a standard
    /// deviation (robust to the occasional huge loss), or their standard deviation when more than half of them are equal.
    /// </summary>
    private double Scale()
    {
        int n = windowCount;
        if (n < 2)
        {
            return 0;
        }

        Span<double> values = scratch.AsSpan(0, n);
        window.AsSpan(0, n).CopyTo(values);
        values.Sort();
        double median = values[n / 2];
        double mean = 0;
        for (int i = 0; i < n; i++)
        {
            mean += values[i];
        }

        mean /= n;
        double squares = 0;
        for (int i = 0; i < n; i++)
        {
            squares += (values[i] - mean) * (values[i] - mean);
            values[i] = Math.Abs(values[i] - median);
        }

        values.Sort();
        double mad = 1.4826 * values[n / 2];
        return mad > 0 ? mad : Math.Sqrt(squares / (n - 1));
    }
}
