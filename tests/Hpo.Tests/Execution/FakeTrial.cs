using System.Collections.Concurrent;
using Hpo.SearchSpaces;
using Hpo.Trials;

namespace Hpo.Tests.Execution;

/// <summary>An <see cref="ITrial"/> that records what an executor does with it, and prunes when a test rule says so.</summary>
internal sealed class FakeTrial(SearchSpace space, IReadOnlyDictionary<string, object> parameters, Func<IReadOnlyList<(long Step, double Value)>, bool>? prune = null) : ITrial
{
    private readonly ConcurrentDictionary<string, string> attributes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(long, double)> reports = new();

    public int Number { get; init; } = 7;

    public string StudyName { get; init; } = "fake study";

    public SearchSpace SearchSpace => space;

    public IReadOnlyDictionary<string, object> Parameters => parameters;

    public IReadOnlyDictionary<string, string> UserAttributes => attributes;

    public IReadOnlyList<(long Step, double Value)> Reports => [.. reports];

    public int PruneQuestions { get; private set; }

    public T Get<T>(string name) => ParameterConverter.Convert<T>(name, parameters[name]);

    public ValueTask ReportAsync(long step, double value, CancellationToken cancellationToken = default)
    {
        reports.Enqueue((step, value));
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> ShouldPruneAsync(CancellationToken cancellationToken = default)
    {
        PruneQuestions++;
        return ValueTask.FromResult(prune?.Invoke(Reports) ?? false);
    }

    public ValueTask SetUserAttributeAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        attributes[key] = value;
        return ValueTask.CompletedTask;
    }
}
