namespace Hpo;

/// <summary>
/// The base class of the domain errors that Hpo raises: a study that already exists, a trial that is already finished,
/// a storage that failed.
/// </summary>
public class HpoException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="HpoException"/> class.</summary>
    public HpoException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="HpoException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public HpoException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="HpoException"/> class with a message and a cause.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public HpoException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Thrown when a study is created under a name that a storage already holds.</summary>
public sealed class DuplicateStudyException : HpoException
{
    /// <summary>Initializes a new instance of the <see cref="DuplicateStudyException"/> class.</summary>
    public DuplicateStudyException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DuplicateStudyException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public DuplicateStudyException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DuplicateStudyException"/> class with a message and a cause.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public DuplicateStudyException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

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

/// <summary>Thrown when a storage provider fails; the provider's own error is the <see cref="Exception.InnerException"/>.</summary>
public sealed class StorageException : HpoException
{
    /// <summary>Initializes a new instance of the <see cref="StorageException"/> class.</summary>
    public StorageException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="StorageException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public StorageException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="StorageException"/> class with a message and a cause.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The provider's exception.</param>
    public StorageException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

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
