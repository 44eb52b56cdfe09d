using System.Globalization;

namespace Hpo.Deploy.Tests.Support;

/// <summary>
/// The command line of <c>hpo worker</c>, as its contract defines it:
/// <c>--storage URL --study NAME (--command "…" | --image IMAGE | --objective path.dll:Type) [--concurrency N] [--trials N]
/// [--container-cli podman|docker] [--container-arg ARG]...</c>. Deploy's files are checked against it, so that a manifest cannot
/// pass a flag the worker rejects.
/// </summary>
public sealed class WorkerCommandLine
{
    private static readonly HashSet<string> SingleValued = new(StringComparer.Ordinal)
    {
        "--storage", "--study", "--command", "--image", "--objective", "--concurrency", "--trials", "--container-cli",
    };

    private static readonly string[] Modes = ["--command", "--image", "--objective"];

    private WorkerCommandLine(Dictionary<string, string> values, List<string> containerArgs)
    {
        Values = values;
        ContainerArgs = containerArgs;
    }

    /// <summary>Gets the value of each single-valued option given.</summary>
    public IReadOnlyDictionary<string, string> Values { get; }

    /// <summary>Gets the values of the repeatable <c>--container-arg</c>.</summary>
    public IReadOnlyList<string> ContainerArgs { get; }

    public string Storage => Values["--storage"];

    public string Study => Values["--study"];

    /// <summary>Gets the worker's concurrency (1 when not given).</summary>
    public int Concurrency => Values.TryGetValue("--concurrency", out string? c) ? int.Parse(c, CultureInfo.InvariantCulture) : 1;

    /// <summary>Parses the arguments that follow <c>hpo worker</c>.</summary>
    /// <exception cref="FormatException">An argument breaks the contract; the message says which.</exception>
    public static WorkerCommandLine Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var containerArgs = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string flag = args[i];
            bool repeatable = flag == "--container-arg";
            if (!repeatable && !SingleValued.Contains(flag))
            {
                throw new FormatException($"'{flag}' is not an option of hpo worker.");
            }

            if (i + 1 >= args.Count || args[i + 1].Length == 0)
            {
                throw new FormatException($"'{flag}' needs a value.");
            }

            string value = args[++i];
            if (repeatable)
            {
                containerArgs.Add(value);
            }
            else if (!values.TryAdd(flag, value))
            {
                throw new FormatException($"'{flag}' is given twice.");
            }
        }

        // The storage may come from HPO_STORAGE (which keeps the password off the command line) instead of --storage.
        foreach (string required in new[] { "--study" })
        {
            if (!values.ContainsKey(required))
            {
                throw new FormatException($"'{required}' is required.");
            }
        }

        string[] modes = Modes.Where(values.ContainsKey).ToArray();
        if (modes.Length != 1)
        {
            throw new FormatException($"Exactly one of --command, --image, --objective is required, but got {modes.Length}.");
        }

        foreach (string count in new[] { "--concurrency", "--trials" })
        {
            if (values.TryGetValue(count, out string? n) && IsNotExpansion(n)
                && !(int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed >= 1))
            {
                throw new FormatException($"'{count}' must be a positive integer, but got '{n}'.");
            }
        }

        if (values.TryGetValue("--container-cli", out string? cli) && IsNotExpansion(cli) && cli is not ("podman" or "docker"))
        {
            throw new FormatException($"'--container-cli' must be podman or docker, but got '{cli}'.");
        }

        if (values.TryGetValue("--objective", out string? objective) && IsNotExpansion(objective)
            && !(objective.Contains(".dll:", StringComparison.Ordinal) && !objective.EndsWith(':')))
        {
            throw new FormatException($"'--objective' must be path.dll:Type, but got '{objective}'.");
        }

        if (containerArgs.Count > 0 && !values.ContainsKey("--image"))
        {
            throw new FormatException("'--container-arg' applies to --image only.");
        }

        return new WorkerCommandLine(values, containerArgs);
    }

    // A value filled in by the platform ($(VAR) in Kubernetes, ${VAR} in systemd) is checked where it is defined.
    private static bool IsNotExpansion(string value) => !(value.StartsWith("$(", StringComparison.Ordinal) || value.StartsWith("${", StringComparison.Ordinal));
}
