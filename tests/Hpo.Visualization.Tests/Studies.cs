using System.Collections.Immutable;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Visualization.Tests;

/// <summary>Builds study snapshots trial by trial, with known values and times.</summary>
internal sealed class Studies
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<TrialRecord> trials = [];

    public Studies(SearchSpace space, StudyDirection direction = StudyDirection.Minimize, string name = "s")
    {
        Study = new StudyRecord(1, new StudyDefinition { Name = name, SearchSpace = space, Directions = [direction], TunerName = "random", Seed = 0 }, T0);
    }

    public StudyRecord Study { get; }

    public Studies Add(TrialState state, double? value, IReadOnlyDictionary<string, object> parameters, double start = 0, double end = 1, string owner = "w1",
        IReadOnlyDictionary<long, double>? intermediate = null, int? retryOf = null, double? heartbeat = null)
    {
        var system = ImmutableDictionary<string, string>.Empty;
        if (retryOf is int r)
        {
            system = system.Add(TrialRetry.RetryOfAttribute, r.ToString(System.Globalization.CultureInfo.InvariantCulture)).Add(TrialRetry.AttemptAttribute, "1");
        }

        trials.Add(new TrialRecord
        {
            Id = trials.Count + 1,
            Number = trials.Count,
            State = state,
            Parameters = parameters,
            Values = value is double v ? [v] : [],
            IntermediateValues = (intermediate ?? new Dictionary<long, double>()).ToImmutableSortedDictionary(),
            SystemAttributes = system,
            CreatedAt = T0.AddSeconds(start),
            StartedAt = state == TrialState.Waiting ? null : T0.AddSeconds(start),
            FinishedAt = state.IsFinished() ? T0.AddSeconds(end) : null,
            Heartbeat = heartbeat is double h ? T0.AddSeconds(h) : null,
            Owner = state == TrialState.Waiting ? null : owner,
        });
        return this;
    }

    public Studies Complete(double value, params (string Name, object Value)[] parameters) =>
        Add(TrialState.Complete, value, parameters.ToDictionary(p => p.Name, p => p.Value));

    public StudyData Build(double takenAt = 100) => StudyData.Create(Study, trials, T0.AddSeconds(takenAt));

    public static SearchSpace XY => new SearchSpaceBuilder().AddFloat("x", 0, 1).AddFloat("y", 0, 1).Build();
}
