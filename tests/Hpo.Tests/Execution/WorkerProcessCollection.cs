namespace Hpo.Tests.Execution;

/// <summary>Tests that start worker processes run one at a time, apart from the other tests, to keep the machine's cores free for them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WorkerProcessCollection
{
    public const string Name = "Worker processes";
}
