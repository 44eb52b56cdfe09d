namespace Hpo.Execution;

/// <summary>
/// Thrown by the objective that runs an <see cref="ITrialExecutor"/> (<see cref="TrialExecutor.AsObjective(ITrialExecutor)"/>) when
/// the executor reports a failed trial, so that the study records the trial as failed with the executor's reason.
/// </summary>
public sealed class TrialExecutionException : HpoException
{
    /// <summary>Initializes a new instance of the <see cref="TrialExecutionException"/> class.</summary>
    public TrialExecutionException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TrialExecutionException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public TrialExecutionException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TrialExecutionException"/> class with a message and a cause.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public TrialExecutionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
