namespace Hpo.Tuners.Genetic;

/// <summary>
/// The population of the steady-state genetic algorithm: the best complete trials, best first (ties broken by trial number).
/// Built from a history by <see cref="FromHistory"/>, or incrementally by <see cref="Add"/> as trials complete — each child
/// displaces the worst member if it is better — and both ways give the same population.
/// </summary>
internal sealed class GeneticPopulation
{
    private readonly List<EncodedTrial> members;

    public GeneticPopulation(int size)
    {
        Size = size;
        members = new List<EncodedTrial>(size + 1);
    }

    /// <summary>Gets the largest number of members.</summary>
    public int Size { get; }

    /// <summary>Gets the members, best first.</summary>
    public IReadOnlyList<EncodedTrial> Members => members;

    /// <summary>Gets how many complete trials have been offered to the population.</summary>
    public int Offered { get; private set; }

    /// <summary>Gets the generation: the number of complete trials beyond the first <see cref="Size"/>, in units of <see cref="Size"/>.</summary>
    public int Generation => Math.Max(0, Offered - Size) / Size;

    public static GeneticPopulation FromHistory(EncodedHistory history, int size)
    {
        var population = new GeneticPopulation(size);
        var complete = new List<EncodedTrial>(history.CompleteCount);
        foreach (EncodedTrial t in history.Trials)
        {
            if (t.HasLoss)
            {
                complete.Add(t);
            }
        }

        complete.Sort(Compare);
        population.members.AddRange(complete.Take(size));
        population.Offered = complete.Count;
        return population;
    }

    /// <summary>Offers a finished trial: a complete one joins if there is room or it beats the worst member, which then leaves.</summary>
    public void Add(EncodedTrial trial)
    {
        if (!trial.HasLoss)
        {
            return;
        }

        Offered++;
        int index = members.BinarySearch(trial, Comparer<EncodedTrial>.Create(Compare));
        index = index < 0 ? ~index : index;
        if (index >= Size)
        {
            return;
        }

        members.Insert(index, trial);
        if (members.Count > Size)
        {
            members.RemoveAt(members.Count - 1);
        }
    }

    private static int Compare(EncodedTrial a, EncodedTrial b) =>
        a.Loss != b.Loss ? a.Loss.CompareTo(b.Loss) : a.Number.CompareTo(b.Number);
}
