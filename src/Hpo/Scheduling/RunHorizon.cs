namespace Hpo.Scheduling;

/// <summary>
/// The horizon of one scheduler run (<c>Study.OptimizeAsync</c>) as a
/// trial number, for tuners that plan (<see cref="Tuners.TunerContext.Horizon"/>): the number of the first trial the run
/// proposes plus its trial count, or, with only a timeout, the
/// trials the run would start at its pace so far in the time left. Thread-safe.
/// </summary>
internal sealed class RunHorizon
{
    private readonly int? trialCount;
    private readonly TimeSpan? timeout;
    private readonly TimeProvider clock;
    private readonly long startTimestamp;
    private readonly Lock gate = new();
    private int firstNumber = -1;
    private int proposals;

    public RunHorizon(int? trialCount, TimeSpan? timeout, TimeProvider clock)
    {
        this.trialCount = trialCount;
        this.timeout = timeout;
        this.clock = clock;
        startTimestamp = clock.GetTimestamp();
    }

    /// <summary>Gets whether the run has a horizon at all.</summary>
    public bool IsKnown => trialCount is not null || timeout is not null;

    /// <summary>Records a proposal for <paramref name="trialNumber"/> and returns the horizon as it looks now, or <see langword="null"/>.</summary>
    public int? For(int trialNumber)
    {
        lock (gate)
        {
            if (firstNumber < 0)
            {
                firstNumber = trialNumber;
            }

            proposals++;
            int? byCount = trialCount is int n ? firstNumber + n : null;
            int? byTime = null;
            if (timeout is TimeSpan limit && proposals > 1)
            {
                TimeSpan elapsed = clock.GetElapsedTime(startTimestamp);
                if (elapsed > TimeSpan.Zero)
                {
                    double perTrial = elapsed.TotalSeconds / (proposals - 1);
                    double left = Math.Max(0.0, (limit - elapsed).TotalSeconds);
                    byTime = trialNumber + 1 + (int)Math.Min(1_000_000, Math.Floor(left / perTrial));
                }
            }

            return byCount is int c && byTime is int t ? Math.Min(c, t) : byCount ?? byTime;
        }
    }
}
