using System.Globalization;
using System.Reflection;
using Hpo.Tuners;
using Hpo.Registries;

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

    /// <summary>The model: <c>lightgbm</c> (ML.NET, the default) or <c>mlp</c> (a TorchSharp multilayer perceptron).</summary>
    public string Model { get; init; } = "lightgbm";

    /// <summary>The pruner of the MLP study: <c>asha</c> or <c>none</c>.</summary>
    public string Pruner { get; init; } = "asha";

    public bool PrunerGiven { get; init; }

    public bool IsMlp => Model == "mlp";

    /// <summary>The model repository to publish the best trial's model to (as BASE/iris/N/), or <see langword="null"/>.</summary>
    public string? Export { get; init; }

    public string StudyName => Study ?? (IsMlp
        ? $"iris-mlp-{Tuner.ToLowerInvariant()}-{Pruner}"
        : $"iris-lightgbm-{Tuner.ToLowerInvariant()}");

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

            if (arg is not ("--tuner" or "--trials" or "--storage" or "--study" or "--model" or "--pruner" or "--export"))
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
                case "--tuner" when !TunerRegistry.Default.Names.Contains(value, StringComparer.OrdinalIgnoreCase):
                    return Fail($"No tuner is named '{value}'. Known tuners: {string.Join(", ", TunerRegistry.Default.Names)}.");
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
                case "--model" when value is not ("lightgbm" or "mlp"):
                    return Fail($"--model must be lightgbm or mlp, but got '{value}'.");
                case "--model":
                    options = options with { Model = value };
                    break;
                case "--pruner" when value is not ("asha" or "none"):
                    return Fail($"--pruner must be asha or none, but got '{value}'.");
                case "--pruner":
                    options = options with { Pruner = value, PrunerGiven = true };
                    break;
                case "--export":
                    options = options with { Export = value };
                    break;
                default:
                    options = options with { Study = value };
                    break;
            }
        }

        if (options.PrunerGiven && !options.IsMlp)
        {
            return Fail("--pruner applies to --model mlp only: the LightGbm study trains each trial in one go.");
        }

        return options;
    }

    public static void PrintUsage(TextWriter writer)
    {
        writer.WriteLine("Tunes ML.NET's LightGbm multiclass trainer on Iris by 5-fold cross-validated accuracy, or (--model mlp)");
        writer.WriteLine("a TorchSharp multilayer perceptron with early stopping, scored at the end on 30 held-out rows.");
        writer.WriteLine();
        writer.WriteLine("Usage: dotnet run --project samples/Iris -- [options]");
        writer.WriteLine();
        writer.WriteLine($"  --tuner NAME     the tuner: {string.Join(", ", TunerRegistry.Default.Names)} (default: random)");
        writer.WriteLine($"  --trials N       the study's budget of finished trials when it is created (default: {DefaultTrials})");
        writer.WriteLine("  --storage URL    where the study lives: sqlite:///relative.db, sqlite:////absolute.db or memory");
        writer.WriteLine($"                   (default: sqlite:///{Path.Combine(SampleDirectory(), "iris.db")})");
        writer.WriteLine("  --study NAME     the study's name (default: iris-lightgbm-<tuner>, or iris-mlp-<tuner>-<pruner>)");
        writer.WriteLine("  --model NAME     lightgbm (ML.NET) or mlp (TorchSharp) (default: lightgbm)");
        writer.WriteLine("  --pruner NAME    for --model mlp: asha (asynchronous successive halving) or none (default: asha)");
        writer.WriteLine("  --export BASE    publishes the best trial's model (LightGbm refit on all rows, or the MLP's best checkpoint)");
        writer.WriteLine("                   as the next version BASE/iris/N/ of a model repository that 'hpo serve' serves");
        writer.WriteLine("  -h, --help       shows this text");
        writer.WriteLine();
        writer.WriteLine("Running the same command again resumes the study until its budget is spent; Ctrl+C stops it cleanly.");
    }

    /// <summary>
    /// Finds samples/Iris, where iris.db belongs: the folder holding Iris.csproj above the running program (bin/...), or else the
    /// folder the project was built from, or else the program's own folder.
    /// </summary>
    public static string SampleDirectory()
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

    /// <summary>The artifact store where trials save their models: samples/Iris/artifacts.</summary>
    public static string ArtifactsDirectory() => Path.Combine(SampleDirectory(), "artifacts");

    private static CommandLine? Fail(string message)
    {
        Console.Error.WriteLine(message);
        Console.Error.WriteLine();
        PrintUsage(Console.Error);
        return null;
    }
}
