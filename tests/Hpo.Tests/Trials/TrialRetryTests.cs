using System.Collections.Immutable;
using Hpo.Trials;

namespace Hpo.Tests.Trials;

public sealed class TrialRetryTests
{
    private static TrialRecord With(params (string Key, string Value)[] attributes) => new()
    {
        Id = 1,
        Number = 9,
        State = TrialState.Waiting,
        Parameters = ImmutableDictionary<string, object>.Empty,
        SystemAttributes = ImmutableDictionary<string, string>.Empty.AddRange(attributes.Select(a => KeyValuePair.Create(a.Key, a.Value))),
    };

    [Fact]
    public void RetryOfAndAttempt_OriginalTrial_AreNullAndZero()
    {
        TrialRecord original = With(("generation", "3"));

        Assert.Null(TrialRetry.RetryOf(original));
        Assert.Equal(0, TrialRetry.Attempt(original));
    }

    [Fact]
    public void RetryOfAndAttempt_Retry_ReadTheSystemAttributes()
    {
        TrialRecord retry = With((TrialRetry.RetryOfAttribute, "4"), (TrialRetry.AttemptAttribute, "2"));

        Assert.Equal(4, TrialRetry.RetryOf(retry));
        Assert.Equal(2, TrialRetry.Attempt(retry));
    }

    [Fact]
    public void RetryOfAndAttempt_UnreadableValues_AreIgnored()
    {
        TrialRecord odd = With((TrialRetry.RetryOfAttribute, "four"), (TrialRetry.AttemptAttribute, ""));

        Assert.Null(TrialRetry.RetryOf(odd));
        Assert.Equal(0, TrialRetry.Attempt(odd));
    }
}
