namespace Hpo;

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
