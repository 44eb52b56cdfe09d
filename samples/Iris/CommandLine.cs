using System.CommandLine;
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

    /// <summary>Parses the arguments with System.CommandLine, or prints what is wrong and the usage to standard error and returns <see langword="null"/>.</summary>
    public static CommandLine? Parse(string[] args)
    {
        Syntax syntax = new();
        ParseResult result = syntax.Root.Parse(args);
        if (result.Tokens.Any(t => t.Value is "-h" or "--help" or "-?"))
        {
            return new CommandLine { ShowHelp = true };
        }

        if (result.Errors.Count > 0)
        {
            // System.CommandLine prints the errors, the closest option to a mistyped one, and the help.
            result.Invoke(new InvocationConfiguration { Output = Console.Error, Error = Console.Error });
            return null;
        }

        var options = new CommandLine
        {
            Tuner = result.GetValue(syntax.Tuner)!,
            Trials = result.GetValue(syntax.Trials),
            TrialsGiven = result.GetResult(syntax.Trials) is { Implicit: false },
            Storage = result.GetValue(syntax.Storage)!,
            Study = result.GetValue(syntax.Study),
            Model = result.GetValue(syntax.Model)!,
            Pruner = result.GetValue(syntax.Pruner)!,
            PrunerGiven = result.GetResult(syntax.Pruner) is { Implicit: false },
            Export = result.GetValue(syntax.Export),
        };
        if (options.PrunerGiven && !options.IsMlp)
        {
            return Fail("--pruner applies to --model mlp only: the LightGbm study trains each trial in one go.");
        }

        return options;
    }

    /// <summary>Prints the options (System.CommandLine's help) and how the sample resumes.</summary>
    public static void PrintUsage(TextWriter writer)
    {
        var help = new StringWriter();
        new Syntax().Root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = help });
        writer.Write(help.ToString().Replace("Usage:\n  Iris", "Usage:\n  dotnet run --project samples/Iris --", StringComparison.Ordinal));
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

    /// <summary>The sample's options as System.CommandLine declares them: names, defaults, allowed values and help.</summary>
    private sealed class Syntax
    {
        public Syntax()
        {
            Tuner.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, [.. TunerRegistry.Default.Names]);
            Trials.Validators.Add(r =>
            {
                if (r.Tokens.Count > 0 && (!int.TryParse(r.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1))
                {
                    r.AddError($"--trials must be a positive whole number, but got '{r.Tokens[0].Value}'.");
                }
            });
            Model.AcceptOnlyFromAmong("lightgbm", "mlp");
            Pruner.AcceptOnlyFromAmong("asha", "none");
            Root = new RootCommand(
                "Tunes ML.NET's LightGbm multiclass trainer on Iris by 5-fold cross-validated accuracy, or (--model mlp) " +
                "a TorchSharp multilayer perceptron with early stopping, scored at the end on 30 held-out rows.")
            {
                Tuner, Trials, Storage, Study, Model, Pruner, Export,
            };
        }

        public RootCommand Root { get; }

        public Option<string> Tuner { get; } = new("--tuner") { HelpName = "NAME", Description = $"The tuner: {string.Join(", ", TunerRegistry.Default.Names)}.", DefaultValueFactory = _ => "random" };

        public Option<int> Trials { get; } = new("--trials") { HelpName = "N", Description = "The study's budget of finished trials when it is created.", DefaultValueFactory = _ => DefaultTrials };

        public Option<string> Storage { get; } = new("--storage")
        {
            HelpName = "URL",
            Description = "Where the study lives: sqlite:///relative.db, sqlite:////absolute.db or memory.",
            DefaultValueFactory = _ => "sqlite:///" + Path.Combine(SampleDirectory(), "iris.db"),
        };

        public Option<string> Study { get; } = new("--study") { HelpName = "NAME", Description = "The study's name [default: iris-lightgbm-<tuner>, or iris-mlp-<tuner>-<pruner>]." };

        public Option<string> Model { get; } = new("--model") { HelpName = "NAME", Description = "lightgbm (ML.NET) or mlp (TorchSharp).", DefaultValueFactory = _ => "lightgbm" };

        public Option<string> Pruner { get; } = new("--pruner") { HelpName = "NAME", Description = "For --model mlp: asha (asynchronous successive halving) or none.", DefaultValueFactory = _ => "asha" };

        public Option<string> Export { get; } = new("--export")
        {
            HelpName = "BASE",
            Description = "Publishes the best trial's model (LightGbm refit on all rows, or the MLP's best checkpoint) as the next version BASE/iris/N/ of a model repository that 'hpo serve' serves.",
        };
    }

    private static CommandLine? Fail(string message)
    {
        Console.Error.WriteLine(message);
        Console.Error.WriteLine();
        PrintUsage(Console.Error);
        return null;
    }
}
