using Hpo.Cli.Formatting;
using Hpo.Cli.Parsing;
using Hpo.Cli.Storage;
using Hpo.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hpo.Cli.Commands;

/// <summary>What a command needs besides its options: how to open storages, where notes go, and the logger.</summary>
/// <param name="Storage">Opens the <c>--storage</c> URL.</param>
/// <param name="Error">Standard error, for notes that are not the result.</param>
/// <param name="LoggerFactory">The tool's logger (warnings by default, more with <c>--verbose</c>), for the library objects a command builds.</param>
internal sealed record CommandContext(StorageOpener Storage, TextWriter Error, ILoggerFactory? LoggerFactory = null)
{
    /// <summary>Gets the logger factory to hand to library objects (never null).</summary>
    public ILoggerFactory Logging => LoggerFactory ?? NullLoggerFactory.Instance;
}

/// <summary>One <c>hpo</c> command: its name, help and options, and what it does.</summary>
internal abstract class CliCommand : ICommandSpec
{
    /// <summary>Gets the command's name, as typed after <c>hpo</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Gets one line that says what the command does (for <c>hpo --help</c>).</summary>
    public abstract string Summary { get; }

    /// <summary>Gets the command's help paragraph, including what each output field means.</summary>
    public abstract string Description { get; }

    /// <summary>Gets every option the command accepts, in help order.</summary>
    public abstract IReadOnlyList<OptionSpec> Options { get; }

    /// <summary>Runs the command.</summary>
    /// <param name="context">The storage opener and the error writer.</param>
    /// <param name="options">The parsed options.</param>
    /// <param name="cancellationToken">A token to cancel the command.</param>
    /// <returns>What to print.</returns>
    /// <exception cref="UsageException">An option's value is malformed.</exception>
    /// <exception cref="CliException">The command failed.</exception>
    public abstract Task<OutputDocument> ExecuteAsync(CommandContext context, ParsedOptions options, CancellationToken cancellationToken);

    /// <summary>Opens the storage, runs <paramref name="body"/> with it and disposes it.</summary>
    /// <param name="context">The command's context.</param>
    /// <param name="url">The <c>--storage</c> URL.</param>
    /// <param name="mustExist">Whether a SQLite file must already exist.</param>
    /// <param name="body">What to do with the storage.</param>
    /// <param name="migrate">Whether the command writes and so may create or upgrade the schema; readers (the default) never do.</param>
    /// <returns>What <paramref name="body"/> returns.</returns>
    protected static Task<OutputDocument> WithStorageAsync(CommandContext context, string url, bool mustExist, Func<IStudyStorage, Task<OutputDocument>> body, bool migrate = false)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Storage.WithStorageAsync(url, mustExist, migrate, body);
    }

    /// <summary>
    /// Opens the <c>--storage</c> of <paramref name="options"/> for reading, finds its <c>--study</c>, runs <paramref name="body"/>
    /// with both and disposes the storage (<see cref="StorageOpener.WithStudyAsync"/>).
    /// </summary>
    /// <param name="context">The command's context.</param>
    /// <param name="options">The parsed options, with <c>--storage</c> and <c>--study</c>.</param>
    /// <param name="body">What to do with the storage and the study.</param>
    /// <param name="cancellationToken">A token to cancel the command.</param>
    /// <returns>What <paramref name="body"/> returns.</returns>
    protected static Task<OutputDocument> WithStudyAsync(CommandContext context, ParsedOptions options, Func<IStudyStorage, StudyRecord, Task<OutputDocument>> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        return context.Storage.WithStudyAsync(options.GetRequired(CommonOptions.Storage.Name), options.GetRequired(CommonOptions.Study.Name), body, cancellationToken);
    }
}
