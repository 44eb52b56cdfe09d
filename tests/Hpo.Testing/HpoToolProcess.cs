using System.Diagnostics;

namespace Hpo.Testing;

/// <summary>The built <c>hpo</c> tool running as a real process (<c>dotnet Hpo.Cli.dll …</c>), its output captured as it comes.</summary>
public sealed class HpoToolProcess : CapturedProcess
{
    private HpoToolProcess(ProcessStartInfo start)
        : base(start, "hpo")
    {
    }

    /// <summary>Starts the tool with <paramref name="arguments"/>, and the given variables added to this process's environment.</summary>
    public static HpoToolProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(BuiltTools.DotnetHost);
        start.ArgumentList.Add(HpoTool.Path);
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new HpoToolProcess(start);
    }
}
