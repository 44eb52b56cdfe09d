using Hpo.Internal;

namespace Hpo.Execution;

/// <summary>What an <see cref="ITrialExecutor"/> reports about one trial: completed with a value, pruned, or failed with the reason.</summary>
public sealed class TrialOutcome
{
    private TrialOutcome(TrialOutcomeKind kind, double? value, string? reason, Exception? exception)
    {
        Kind = kind;
        Value = value;
        Reason = reason;
        Exception = exception;
    }

    /// <summary>Gets how the trial ended.</summary>
    public TrialOutcomeKind Kind { get; }

    /// <summary>Gets the final value of a completed trial (NaN and infinities included: the study records those as failed), or the last intermediate value of a pruned one, if any.</summary>
    public double? Value { get; }

    /// <summary>Gets why a failed trial failed, in a sentence; <see langword="null"/> for other outcomes.</summary>
    public string? Reason { get; }

    /// <summary>Gets the exception that failed the trial, if any.</summary>
    public Exception? Exception { get; }

    /// <summary>Creates the outcome of a trial that finished with a value.</summary>
    /// <param name="value">The final value.</param>
    /// <returns>The outcome.</returns>
    public static TrialOutcome Completed(double value) => new(TrialOutcomeKind.Completed, value, null, null);

    /// <summary>Creates the outcome of a pruned trial.</summary>
    /// <param name="lastValue">The last intermediate value, if any.</param>
    /// <returns>The outcome.</returns>
    public static TrialOutcome Pruned(double? lastValue = null) => new(TrialOutcomeKind.Pruned, lastValue, null, null);

    /// <summary>Creates the outcome of a failed trial.</summary>
    /// <param name="reason">Why it failed.</param>
    /// <param name="exception">The exception that failed it, if any.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is null, empty or white space.</exception>
    public static TrialOutcome Failed(string reason, Exception? exception = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(TrialOutcomeKind.Failed, null, reason, exception);
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        TrialOutcomeKind.Completed => "completed " + Format.Value(Value),
        TrialOutcomeKind.Pruned => Value is double v ? "pruned at " + Format.Value(v) : "pruned",
        _ => "failed: " + Reason,
    };
}
