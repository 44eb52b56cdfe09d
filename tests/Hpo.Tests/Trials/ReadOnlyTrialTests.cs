using Hpo.SearchSpaces;
using Hpo.Trials;

namespace Hpo.Tests.Trials;

public sealed class ReadOnlyTrialTests
{
    [Fact]
    public void A_read_only_trial_reads_parameters_and_refuses_writes()
    {
        SearchSpace space = new SearchSpaceBuilder().AddInt("leaves", 2, 64).AddFloat("rate", 0.01, 1).Build();
        var record = new TrialRecord { Id = 1, Number = 4, State = TrialState.Complete, Parameters = new Dictionary<string, object> { ["leaves"] = 8L, ["rate"] = 0.5 } };
        var trial = new ReadOnlyTrial("s", space, record);

        Assert.Equal(8, trial.Get<int>("leaves"));
        Assert.Equal(0.5f, trial.Get<float>("rate"));
        Assert.Equal(4, trial.Number);
        Assert.Equal("s", trial.StudyName);
        Assert.Throws<KeyNotFoundException>(() => trial.Get<int>("depth"));
        Assert.Throws<InvalidCastException>(() => trial.Get<int>("rate"));
        var e = Assert.Throws<InvalidOperationException>(() => trial.SetUserAttributeAsync("k", "v"));
        Assert.Contains("read-only", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => trial.ReportAsync(1, 0.5));
        Assert.Throws<InvalidOperationException>(() => trial.ShouldPruneAsync());
    }
}
