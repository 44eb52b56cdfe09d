namespace Hpo.Cli.Parsing;

/// <summary>The command line is wrong (unknown command or option, missing or malformed value): exit code 2.</summary>
internal sealed class UsageException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="UsageException"/> class.</summary>
    public UsageException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="UsageException"/> class with a message.</summary>
    /// <param name="message">What is wrong, in a full sentence.</param>
    public UsageException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="UsageException"/> class with a message and a cause.</summary>
    /// <param name="message">What is wrong, in a full sentence.</param>
    /// <param name="innerException">The cause.</param>
    public UsageException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A well-formed command failed (no such study, duplicate study, unreadable file, storage error): exit code 1.</summary>
internal sealed class CliException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="CliException"/> class.</summary>
    public CliException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CliException"/> class with a message.</summary>
    /// <param name="message">What failed and, when possible, how to fix it.</param>
    public CliException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CliException"/> class with a message and a cause.</summary>
    /// <param name="message">What failed and, when possible, how to fix it.</param>
    /// <param name="innerException">The cause.</param>
    public CliException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
