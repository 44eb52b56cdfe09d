using Microsoft.Extensions.Logging;

namespace Hpo.Cli.Logging;

/// <summary>
/// The tool's logger: one line per event on standard error (<c>hpo: warning: …</c>), warnings and errors by default, everything
/// from debug up with <c>--verbose</c> (exceptions then with their stack traces).
/// </summary>
internal sealed class CliLoggerFactory : ILoggerFactory
{
    private readonly TextWriter error;

    /// <summary>Initializes a new instance of the <see cref="CliLoggerFactory"/> class.</summary>
    /// <param name="error">Standard error.</param>
    /// <param name="minimumLevel">The least severe level written.</param>
    public CliLoggerFactory(TextWriter error, LogLevel minimumLevel)
    {
        this.error = error;
        MinimumLevel = minimumLevel;
    }

    /// <summary>Gets the least severe level written.</summary>
    public LogLevel MinimumLevel { get; }

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new CliLogger(this, categoryName);

    /// <inheritdoc/>
    public void AddProvider(ILoggerProvider provider)
    {
        // One destination: standard error.
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        _ => "critical",
    };

    private sealed class CliLogger(CliLoggerFactory factory, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= factory.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (!IsEnabled(logLevel))
            {
                return;
            }

            bool verbose = factory.MinimumLevel <= LogLevel.Debug;
            string message = formatter(state, exception);
            string where = verbose ? $" [{category[(category.LastIndexOf('.') + 1)..]}]" : string.Empty;
            string cause = exception is null ? string.Empty
                : verbose ? Environment.NewLine + exception
                : $" ({exception.GetType().Name}: {exception.Message.Split('\n')[0].TrimEnd()})";
            factory.error.WriteLine($"hpo: {LevelName(logLevel)}{where}: {message}{cause}");
        }
    }
}
