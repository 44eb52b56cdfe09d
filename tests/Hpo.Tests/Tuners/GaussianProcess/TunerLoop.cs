using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;

namespace Hpo.Tests.Tuners.GaussianProcess;

/// <summary>Runs a tuner against a function without a storage: each proposal is made from the history so far and told at once.</summary>
internal static class TunerLoop
{
    public static List<TrialRecord> Run(ITuner tuner, SearchSpace space, Func<IReadOnlyDictionary<string, object>, double> objective, int trials, int seed, StudyDirection direction = StudyDirection.Minimize, int? budget = null)
    {
        var history = new List<TrialRecord>();
        for (int number = 0; number < trials; number++)
        {
            var context = new TunerContext(space, [.. history], [direction], number, seed, budget);
            IReadOnlyDictionary<string, object> proposal = tuner.Propose(context);
            space.Validate(proposal);
            history.Add(Complete(number, proposal, objective(proposal)));
        }

        return history;
    }

    public static TrialRecord Complete(int number, IReadOnlyDictionary<string, object> parameters, double value) => new()
    {
        Id = number,
        Number = number,
        State = TrialState.Complete,
        Parameters = parameters,
        Values = [value],
    };

    public static TrialRecord WithState(int number, IReadOnlyDictionary<string, object> parameters, TrialState state, double? value = null) => new()
    {
        Id = number,
        Number = number,
        State = state,
        Parameters = parameters,
        Values = value is double v ? [v] : [],
    };

    public static double Best(IEnumerable<TrialRecord> history) => history.Where(t => t.State == TrialState.Complete).Min(t => t.Value!.Value);
}
