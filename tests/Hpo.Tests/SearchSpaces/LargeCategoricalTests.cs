using System.Diagnostics;
using System.Text;
using Hpo.SearchSpaces;

namespace Hpo.Tests.SearchSpaces;

/// <summary>Duplicate checks and look-ups of categorical choices are linear: a huge list parses at once (the quadratic check took minutes).</summary>
public sealed class LargeCategoricalTests
{
    [Fact]
    public void FromJson_HundredThousandChoices_ParsesInSecondsAndFindsEachChoice()
    {
        const int Count = 100_000;
        var json = new StringBuilder("""{ "parameters": [ { "name": "c", "type": "categorical", "choices": [""");
        for (int i = 0; i < Count; i++)
        {
            json.Append(i == 0 ? string.Empty : ",").Append('"').Append("choice-").Append(i).Append('"');
        }

        json.Append("] } ] }");
        var clock = Stopwatch.StartNew();

        SearchSpace space = SearchSpace.FromJson(json.ToString());
        var distribution = (CategoricalDistribution)space.Parameters[0].Distribution;
        int found = Enumerable.Range(0, Count).Count(i => distribution.IndexOf("choice-" + i) == i);

        clock.Stop();
        Assert.Equal(Count, distribution.Choices.Count);
        Assert.Equal(Count, found);

        // Well under a second on an idle machine; the bound leaves room for a loaded CI host, and is far below the quadratic time.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"Parsing and looking up {Count} choices took {clock.Elapsed.TotalSeconds:0.###} s.");
    }

    [Fact]
    public void Constructor_DuplicateFarApart_NamesBothPositions()
    {
        object[] choices = [.. Enumerable.Range(0, 50_000).Select(i => (object)(long)i), 123L];

        ArgumentException e = Assert.Throws<ArgumentException>(() => new CategoricalDistribution(choices));

        Assert.Contains("choice 50000 (123) repeats choice 123", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_IntegerAndFloatOfTheSameValue_AreDistinctChoicesAsBefore()
    {
        var distribution = new CategoricalDistribution([1L, 1.0, "1", true]);

        Assert.Equal(0, distribution.IndexOf(1));
        Assert.Equal(1, distribution.IndexOf(1.0));
        Assert.Equal(2, distribution.IndexOf("1"));
        Assert.Equal(3, distribution.IndexOf(true));
    }
}
