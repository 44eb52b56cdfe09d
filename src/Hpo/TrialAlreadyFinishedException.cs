namespace Hpo;

/// <summary>Thrown when a finished trial (complete, pruned or failed) is asked to change.</summary>
public sealed class TrialAlreadyFinishedException : HpoException
{
    /// <summary>Initializes a new instance of the <see cref="TrialAlreadyFinishedException"/> class.</summary>
    public TrialAlreadyFinishedException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TrialAlreadyFinishedException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public TrialAlreadyFinishedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TrialAlreadyFinishedException"/> class with a message and a cause.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public TrialAlreadyFinishedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
