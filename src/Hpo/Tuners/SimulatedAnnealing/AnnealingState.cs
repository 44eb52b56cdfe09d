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
    private readonly double[] sorted;
    private int windowCount;
    private int windowNext;

    public AnnealingState(AnnealingSettings settings)
    {
        this.settings = settings;
        window = new double[AnnealingSettings.ScaleWindow];
        sorted = new double[AnnealingSettings.ScaleWindow];
    }

    /// <summary>Gets the trial at the chain's current point, or <see langword="null"/> before any complete trial.</summary>
    public EncodedTrial? Current { get; private set; }

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

    private EncodedTrial? Best { get; set; }

    /// <summary>Replays every finished trial of a history, in number order.</summary>
    public static AnnealingState Replay(EncodedHistory history, AnnealingSettings settings)
    {
        var state = new AnnealingState(settings);
        state.AdvanceAll(history.Trials, 0, history.Trials.Count);
        return state;
    }

    /// <summary>Takes the finished trials among <paramref name="trials"/>[<paramref name="start"/>..<paramref name="end"/>) into account.</summary>
    public void AdvanceAll(IReadOnlyList<EncodedTrial> trials, int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            if (trials[i].State.IsFinished())
            {
                Advance(trials[i]);
            }
        }
    }

    /// <summary>Copies the state, so that the copy can advance without changing this one.</summary>
    public AnnealingState Clone()
    {
        var copy = new AnnealingState(settings)
        {
            Current = Current,
            CurrentLoss = CurrentLoss,
            CurrentNumber = CurrentNumber,
            Best = Best,
            BestLoss = BestLoss,
            BestNumber = BestNumber,
            SinceImprovement = SinceImprovement,
            Restarts = Restarts,
            LastNumber = LastNumber,
            Processed = Processed,
            windowCount = windowCount,
            windowNext = windowNext,
        };
        window.CopyTo(copy.window, 0);
        sorted.CopyTo(copy.sorted, 0);
        return copy;
    }

    /// <summary>Determines whether two states are the same (the test of a cached or incremental state against a replay).</summary>
    public bool SameAs(AnnealingState other) =>
        SamePoint(Current?.Unit, other.Current?.Unit) && SamePoint(Best?.Unit, other.Best?.Unit) && CurrentLoss.Equals(other.CurrentLoss) && CurrentNumber == other.CurrentNumber
        && BestLoss.Equals(other.BestLoss) && BestNumber == other.BestNumber && SinceImprovement == other.SinceImprovement
        && Restarts == other.Restarts && LastNumber == other.LastNumber && Processed == other.Processed
        && windowCount == other.windowCount && windowNext == other.windowNext && window.AsSpan().SequenceEqual(other.window);

    private static bool SamePoint(double[]? a, double[]? b) =>
        a is null || b is null ? a is null && b is null : EncodedHistory.SamePoint(a, b);

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
            Current = trial;
            CurrentLoss = loss;
            CurrentNumber = trial.Number;
        }

        if (loss < BestLoss)
        {
            Best = trial;
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
        // The window is a ring in arrival order, mirrored by a sorted copy kept up to date in O(window) per loss.
        int n = windowCount;
        if (n == window.Length)
        {
            int old = Array.IndexOf(sorted, window[windowNext], 0, n);
            Array.Copy(sorted, old + 1, sorted, old, n - old - 1);
            n--;
        }

        int at = n;
        while (at > 0 && sorted[at - 1] > loss)
        {
            sorted[at] = sorted[at - 1];
            at--;
        }

        sorted[at] = loss;
        window[windowNext] = loss;
        windowNext = (windowNext + 1) % window.Length;
        windowCount = n + 1;
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

        int mid = n / 2;
        double median = sorted[mid];

        // The deviations below and above the median are each sorted already: merge them up to the middle one.
        int below = mid - 1;
        int above = mid;
        double deviation = 0;
        for (int taken = 0; taken <= mid; taken++)
        {
            double left = below >= 0 ? median - sorted[below] : double.PositiveInfinity;
            double right = above < n ? sorted[above] - median : double.PositiveInfinity;
            if (left < right)
            {
                deviation = left;
                below--;
            }
            else
            {
                deviation = right;
                above++;
            }
        }

        if (deviation > 0)
        {
            return 1.4826 * deviation;
        }

        double mean = 0;
        for (int i = 0; i < n; i++)
        {
            mean += sorted[i];
        }

        mean /= n;
        double squares = 0;
        for (int i = 0; i < n; i++)
        {
            squares += (sorted[i] - mean) * (sorted[i] - mean);
        }

        return Math.Sqrt(squares / (n - 1));
    }
}
