using BenchmarkDotNet.Running;
using Hpo.Benchmarks;
using Hpo.Benchmarks.Latency;
using Hpo.Benchmarks.Micro;
using Hpo.Benchmarks.Overhead;
using Hpo.Benchmarks.Serving;
using Hpo.Benchmarks.Suite;

const string Usage = """
    Usage:
      suite --tuner NAME --seeds N --out FILE [--functions a,b,...]
      overhead --storage URL --tuner NAME --trials T --processes P [--warmup W] [--warmup-ms MS] [--mode in-process|processes]
      executor-overhead --executor inprocess|process|container [--program sh|csharp] [--trials N] [--warmup W] [--image IMAGE] [--container-cli CLI] [--container-global-args "A B"] [--container-args "A B"]
      gp-latency [--dims D] [--trials N1,N2,...] [--repeats R]
      serve-load --url URL --model NAME --concurrency C --duration S [--batch B] [--warmup S] [--noop true] [--swap-base BASE --swap-every S] [--server-pid PID]
      viz-seed --storage URL --study NAME --trials N [--workers W] [--seed S]
      viz --storage URL --study NAME [--repeats R] [--chromium /usr/bin/chromium]
      bdn [BenchmarkDotNet arguments, e.g. --filter *AskTell*]
    """;

if (args.Length == 0)
{
    await Console.Error.WriteLineAsync(Usage);
    return 2;
}

string[] rest = args[1..];
try
{
    return args[0] switch
    {
        "suite" => await SuiteCommand.RunAsync(rest, Console.Out),
        "overhead" => await OverheadCommand.RunAsync(rest, Console.Out),
        "overhead-worker" => await OverheadWorker.RunAsync(rest, Console.In, Console.Out),
        "executor-overhead" => await ExecutorOverheadCommand.RunAsync(rest, Console.Out),
        "trial-program" => TrialProgramCommand.Run(),
        "gp-latency" => GpLatencyCommand.Run(rest, Console.Out),
        "serve-load" => await ServeLoadCommand.RunAsync(rest, Console.Out),
        "viz-seed" => await Hpo.Benchmarks.Visualization.VisualizationCommand.SeedAsync(rest, Console.Out),
        "viz" => await Hpo.Benchmarks.Visualization.VisualizationCommand.RunAsync(rest, Console.Out),
        "bdn" => RunBenchmarkDotNet(rest),
        "-h" or "--help" or "help" => Help(),
        _ => throw new UsageException($"Unknown command '{args[0]}'.{(Hpo.Cli.Parsing.TypoCorrection.Closest(args[0], ["suite", "overhead", "executor-overhead", "gp-latency", "serve-load", "viz-seed", "viz", "bdn"]).FirstOrDefault() is { } close ? $" Did you mean '{close}'?" : string.Empty)}"),
    };
}
catch (UsageException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    await Console.Error.WriteLineAsync(Usage);
    return 2;
}

static int RunBenchmarkDotNet(string[] bdnArgs)
{
    string[] withDefault = bdnArgs.Length == 0 ? ["--filter", "*"] : bdnArgs;
    var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroConfig).Assembly).Run(withDefault, MicroConfig.Create());
    return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
}

static int Help()
{
    Console.WriteLine(Usage);
    return 0;
}
