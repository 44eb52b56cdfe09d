namespace Hpo;

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
