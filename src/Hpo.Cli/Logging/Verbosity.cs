using Microsoft.Extensions.Logging;

namespace Hpo.Cli.Logging;

/// <summary>The <c>-v</c>/<c>--verbose</c> switch every command takes: how much the tool logs to standard error.</summary>
internal static class Verbosity
{
    /// <summary>Removes <c>-v</c> and <c>--verbose</c> from the arguments after the command name, and says what to log.</summary>
    /// <param name="arguments">The arguments (the command name first).</param>
    /// <returns>The other arguments, and <see cref="LogLevel.Debug"/> when verbose, otherwise <see cref="LogLevel.Warning"/>.</returns>
    public static (IReadOnlyList<string> Arguments, LogLevel Level) Extract(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        bool verbose = false;
        var rest = new List<string>(arguments.Count);
        for (int i = 0; i < arguments.Count; i++)
        {
            // Only switches, never the value of an option ('--study -v' names a study "-v"; repeatable options take values as is).
            bool isValue = i > 0 && arguments[i - 1].StartsWith("--", StringComparison.Ordinal) && !arguments[i - 1].Contains('=', StringComparison.Ordinal)
                && arguments[i - 1] is not ("--verbose" or "--help");
            if (!isValue && arguments[i] is "-v" or "--verbose")
            {
                verbose = true;
                continue;
            }

            rest.Add(arguments[i]);
        }

        return (rest, verbose ? LogLevel.Debug : LogLevel.Warning);
    }
}
