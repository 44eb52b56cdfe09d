namespace Hpo.Architecture.Tests;

/// <summary>
/// The namespaces of each shipped assembly form no cycle: a namespace's types never need a namespace that needs them back,
/// so the shared value types sit in leaf namespaces and each layer can be understood, tested and changed from the bottom up.
/// </summary>
public sealed class NamespaceCycleTests
{
    /// <summary>The assemblies the packages and the tool ship.</summary>
    public static TheoryData<string> ShippedAssemblies =>
    [
        "Hpo",
        "Hpo.PostgreSql",
        "Hpo.MLNet",
        "Hpo.TorchSharp",
        "Hpo.Serving",
        "Hpo.Hosting",
        "Hpo.Visualization",
        "Hpo.Dashboard",
        "Hpo.Cli",
    ];

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void Namespaces_OfAShippedAssembly_FormNoCycle(string assembly)
    {
        NamespaceGraph graph = NamespaceGraph.Read(PathOf(assembly));

        IReadOnlyList<NamespaceCycle> cycles = graph.FindCycles();

        Assert.True(cycles.Count == 0, $"The namespaces of {assembly} form {cycles.Count} cycle(s):{Environment.NewLine}{string.Join(Environment.NewLine, cycles.Select(c => c.Description))}");
    }

    [Fact]
    public void Namespaces_OfTheCore_DependOnTheLeafAndNeverBackOnStudies()
    {
        NamespaceGraph graph = NamespaceGraph.Read(PathOf("Hpo"));

        // The shared value types (StudyDirection, RetryOn, OptionsValidation, the exceptions) are in the root namespace, which
        // depends only on the search spaces, trials and internal helpers.
        Assert.Subset(new HashSet<string>(["Hpo.Internal", "Hpo.SearchSpaces", "Hpo.Trials"]), graph.DependenciesOf("Hpo").ToHashSet());
        foreach (string ns in graph.Namespaces.Where(n => n.StartsWith("Hpo.Tuners", StringComparison.Ordinal) || n.StartsWith("Hpo.Pruners", StringComparison.Ordinal)
            || n.StartsWith("Hpo.Storage", StringComparison.Ordinal) || n.StartsWith("Hpo.Execution", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain("Hpo.Studies", graph.DependenciesOf(ns));
        }

        Assert.Subset(new HashSet<string>(["(none)"]), graph.DependenciesOf("Hpo.Internal").DefaultIfEmpty("(none)").ToHashSet());
    }

    [Fact]
    public void Namespaces_OfTheStorage_AbstractionsNeverUseTheirProviders()
    {
        NamespaceGraph graph = NamespaceGraph.Read(PathOf("Hpo"));

        // The abstractions and the provider kit sit below the providers; URLs are opened one level up, by Hpo.Registries.
        Assert.DoesNotContain(graph.DependenciesOf("Hpo.Storage"), n => n.StartsWith("Hpo.Storage.", StringComparison.Ordinal));
        Assert.DoesNotContain(graph.DependenciesOf("Hpo.Storage.Providers"), n => n.StartsWith("Hpo.Storage.", StringComparison.Ordinal));
        Assert.Subset(graph.DependenciesOf("Hpo.Registries").ToHashSet(), new HashSet<string>(["Hpo.Storage.InMemory", "Hpo.Storage.Sqlite", "Hpo.Storage.Providers"]));
        Assert.DoesNotContain(graph.Namespaces, n => n.StartsWith("Hpo.Storage", StringComparison.Ordinal) && graph.DependenciesOf(n).Contains("Hpo.Registries"));
    }

    [Fact]
    public void Namespaces_OfTheTool_PointFromTheRootDownToParsing()
    {
        NamespaceGraph graph = NamespaceGraph.Read(PathOf("Hpo.Cli"));
        IEnumerable<string> ToolNamespacesUsedBy(string ns) => graph.DependenciesOf(ns).Where(n => n.StartsWith("Hpo.Cli", StringComparison.Ordinal));

        // Parsing, Formatting and Logging are leaves; Storage and Workers use only leaves; Commands use those; the root wires commands.
        Assert.Empty(ToolNamespacesUsedBy("Hpo.Cli.Parsing"));
        Assert.Empty(ToolNamespacesUsedBy("Hpo.Cli.Formatting"));
        Assert.Empty(ToolNamespacesUsedBy("Hpo.Cli.Logging"));
        Assert.Subset(new HashSet<string>(["Hpo.Cli.Parsing", "Hpo.Cli.Logging"]), ToolNamespacesUsedBy("Hpo.Cli.Storage").ToHashSet());
        Assert.Subset(new HashSet<string>(["Hpo.Cli.Parsing"]), ToolNamespacesUsedBy("Hpo.Cli.Workers").ToHashSet());
        Assert.DoesNotContain("Hpo.Cli", ToolNamespacesUsedBy("Hpo.Cli.Commands"));
    }

    [Fact]
    public void FindCycles_TwoNamespacesThatUseEachOther_ListsTheCycleWithTheTypesBehindIt()
    {
        NamespaceGraph graph = NamespaceGraph.Read(typeof(NamespaceCycleTests).Assembly.Location);

        NamespaceCycle cycle = Assert.Single(graph.FindCycles(), c => c.Namespaces.Any(n => n.EndsWith("Fixtures.CycleA", StringComparison.Ordinal)));

        Assert.Equal(["Hpo.Architecture.Tests.Fixtures.CycleA", "Hpo.Architecture.Tests.Fixtures.CycleB"], cycle.Namespaces);
        Assert.Contains("Hpo.Architecture.Tests.Fixtures.CycleA -> Hpo.Architecture.Tests.Fixtures.CycleB (Hpo.Architecture.Tests.Fixtures.CycleA.Ping uses Hpo.Architecture.Tests.Fixtures.CycleB.Pong)", cycle.Description, StringComparison.Ordinal);
        Assert.Contains("Hpo.Architecture.Tests.Fixtures.CycleB -> Hpo.Architecture.Tests.Fixtures.CycleA", cycle.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OneWayUseThroughALambda_IsAnEdgeButNotACycle()
    {
        NamespaceGraph graph = NamespaceGraph.Read(typeof(NamespaceCycleTests).Assembly.Location);

        // The use sits in a compiler-generated closure class: it counts for the namespace of the type that declares it.
        Assert.Contains("Hpo.Architecture.Tests.Fixtures.Leaf", graph.DependenciesOf("Hpo.Architecture.Tests.Fixtures.User"));
        Assert.Empty(graph.DependenciesOf("Hpo.Architecture.Tests.Fixtures.Leaf"));
        Assert.DoesNotContain(graph.FindCycles(), c => c.Namespaces.Contains("Hpo.Architecture.Tests.Fixtures.Leaf"));
    }

    private static string PathOf(string assembly)
    {
        string path = Path.Combine(AppContext.BaseDirectory, assembly + ".dll");
        Assert.True(File.Exists(path), $"The shipped assembly {assembly} is not in the test's output folder ({path}); reference its project.");
        return path;
    }
}
