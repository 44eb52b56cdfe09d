namespace Hpo.Internal;

/// <summary>The bounds of the durations Hpo accepts (timeouts, leases, grace periods), in one place.</summary>
internal static class Durations
{
    /// <summary>
    /// The longest wait a .NET timer supports (<c>Timer.MaxSupportedTimeout</c>: 4,294,967,294 ms, about 49.7 days). A timeout at or
    /// above it cannot be armed: a <c>Task.Delay</c> or <c>WaitAsync</c> with it throws at once.
    /// </summary>
    public static readonly TimeSpan MaxTimer = TimeSpan.FromMilliseconds(4_294_967_294);

    /// <summary>The longest lease a study may have (its heartbeats are renewed every third of it).</summary>
    public static readonly TimeSpan MaxLease = TimeSpan.FromDays(1);

    /// <summary>Determines whether a timeout means "no limit": <see cref="Timeout.InfiniteTimeSpan"/>, or at least <see cref="MaxTimer"/>.</summary>
    /// <param name="timeout">The timeout.</param>
    /// <returns><see langword="true"/> when no timer should be armed.</returns>
    public static bool IsUnbounded(TimeSpan timeout) => timeout == Timeout.InfiniteTimeSpan || timeout >= MaxTimer;

    /// <summary>Gets a timeout to arm, or <see langword="null"/> when there is none or it means "no limit".</summary>
    /// <param name="timeout">The timeout, if any.</param>
    /// <returns>The bounded timeout.</returns>
    public static TimeSpan? Bounded(TimeSpan? timeout) => timeout is TimeSpan t && !IsUnbounded(t) ? t : null;
}
