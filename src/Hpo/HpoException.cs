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
