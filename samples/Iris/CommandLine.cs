using System.Globalization;
using System.Reflection;
using Hpo.Tuners;

namespace Hpo.Samples.Iris;

/// <summary>The sample's command-line options.</summary>
internal sealed record CommandLine
{
    public const int DefaultTrials = 30;

    public string Tuner { get; init; } = "random";

    public int Trials { get; init; } = DefaultTrials;

    public bool TrialsGiven { get; init; }

    public string Storage { get; init; } = "sqlite:///" + Path.Combine(SampleDirectory(), "iris.db");

    public string? Study { get; init; }

    public bool ShowHelp { get; init; }

    public string StudyName => Study ?? $"iris-lightgbm-{Tuner.ToLowerInvariant()}";

    /// <summary>Parses the arguments, or prints what is wrong and the usage to standard error and returns <see langword="null"/>.</summary>
    public static CommandLine? Parse(string[] args)
    {
        var options = new CommandLine();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string? inline = null;
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                inline = arg[(equals + 1)..];
                arg = arg[..equals];
            }

            if (arg is "-h" or "--help" or "-?")
            {
                return options with { ShowHelp = true };
            }

            if (arg is not ("--tuner" or "--trials" or "--storage" or "--study"))
            {
                return Fail($"Unknown option '{args[i]}'.");
            }

            string? value = inline ?? (i + 1 < args.Length ? args[++i] : null);
            if (string.IsNullOrWhiteSpace(value))
            {
                return Fail($"Option '{arg}' needs a value.");
            }

            switch (arg)
            {
                case "--tuner" when !TunerRegistry.Names.Contains(value, StringComparer.OrdinalIgnoreCase):
                    return Fail($"No tuner is named '{value}'. Known tuners: {string.Join(", ", TunerRegistry.Names)}.");
                case "--tuner":
                    options = options with { Tuner = value };
                    break;
                case "--trials" when !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1:
                    return Fail($"--trials must be a positive whole number, but got '{value}'.");
                case "--trials":
                    options = options with { Trials = int.Parse(value, CultureInfo.InvariantCulture), TrialsGiven = true };
                    break;
                case "--storage":
                    options = options with { Storage = value };
                    break;
                default:
                    options = options with { Study = value };
                    break;
            }
        }

        return options;
    }

    public static void PrintUsage(TextWriter writer)
    {
        writer.WriteLine("Tunes ML.NET's LightGbm multiclass trainer on Iris by 5-fold cross-validated accuracy.");
        writer.WriteLine();
        writer.WriteLine("Usage: dotnet run --project samples/Iris -- [options]");
        writer.WriteLine();
        writer.WriteLine($"  --tuner NAME     the tuner: {string.Join(", ", TunerRegistry.Names)} (default: random)");
        writer.WriteLine($"  --trials N       the study's budget of finished trials when it is created (default: {DefaultTrials})");
        writer.WriteLine("  --storage URL    where the study lives: sqlite:///relative.db, sqlite:////absolute.db or memory");
        writer.WriteLine($"                   (default: sqlite:///{Path.Combine(SampleDirectory(), "iris.db")})");
        writer.WriteLine("  --study NAME     the study's name (default: iris-lightgbm-<tuner>)");
        writer.WriteLine("  -h, --help       shows this text");
        writer.WriteLine();
        writer.WriteLine("Running the same command again resumes the study until its budget is spent; Ctrl+C stops it cleanly.");
    }

    /// <summary>
    /// Finds samples/Iris, where iris.db belongs: the folder holding Iris.csproj above the running program (bin/...), or else the
    /// folder the project was built from, or else the program's own folder.
    /// </summary>
    private static string SampleDirectory()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Iris.csproj")))
            {
                return dir.FullName;
            }
        }

        string? built = typeof(CommandLine).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SampleDirectory")?.Value;
        return built is not null && Directory.Exists(built) ? built : AppContext.BaseDirectory;
    }

    private static CommandLine? Fail(string message)
    {
        Console.Error.WriteLine(message);
        Console.Error.WriteLine();
        PrintUsage(Console.Error);
        return null;
    }
}
