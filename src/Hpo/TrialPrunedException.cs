namespace Hpo;

/// <summary>
/// Thrown by an objective to say that its trial should stop early. Returning <see cref="Objectives.ObjectiveResult.Pruned(double?)"/>
/// is preferred; both record the trial as <see cref="Trials.TrialState.Pruned"/>.
/// </summary>
public sealed class TrialPrunedException : HpoException
{
    /// <summary>Initializes a new instance of the <see cref="TrialPrunedException"/> class.</summary>
    public TrialPrunedException()
        : base("The trial was pruned.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TrialPrunedException"/> class with a message.</summary>
    /// <param name="message">The message that describes why the trial was pruned.</param>
    public TrialPrunedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TrialPrunedException"/> class with a message and a cause.</summary>
    /// <param name="message">The message that describes why the trial was pruned.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public TrialPrunedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
