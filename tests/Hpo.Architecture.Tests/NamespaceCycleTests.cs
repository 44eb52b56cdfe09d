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

    /// <summary>
    /// Two known debts (docs/architecture.md, "Known structural debts"): the storage URL opener knows its in-memory and SQLite
    /// providers, which depend back on the storage abstractions and the provider kit; and the CLI's commands, parsing, storage
    /// and worker layers refer to each other. A listed cycle is tolerated only when all its namespaces are among these; a
    /// larger one, or one anywhere else, fails.
    /// </summary>
    private static readonly string[][] Tolerated =
    [
        ["Hpo.Storage", "Hpo.Storage.InMemory", "Hpo.Storage.Providers", "Hpo.Storage.Sqlite"],
        ["Hpo.Cli", "Hpo.Cli.Commands", "Hpo.Cli.Parsing", "Hpo.Cli.Storage", "Hpo.Cli.Workers"],
    ];

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void Namespaces_OfAShippedAssembly_FormNoCycle(string assembly)
    {
        NamespaceGraph graph = NamespaceGraph.Read(PathOf(assembly));

        List<NamespaceCycle> cycles = graph.FindCycles().Where(c => !IsTolerated(c)).ToList();

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

    private static bool IsTolerated(NamespaceCycle cycle) =>
        Tolerated.Any(allowed => cycle.Namespaces.All(allowed.Contains));

    private static string PathOf(string assembly)
    {
        string path = Path.Combine(AppContext.BaseDirectory, assembly + ".dll");
        Assert.True(File.Exists(path), $"The shipped assembly {assembly} is not in the test's output folder ({path}); reference its project.");
        return path;
    }
}
