namespace Hpo.Tuners.Genetic;

/// <summary>
/// The population of the steady-state genetic algorithm: the best complete trials, best first (ties broken by trial number).
/// It is what a steady-state scheme reaches by offering each complete trial in turn (<see cref="Add"/>): a child displaces the
/// worst member if it is better. Since the best <c>size</c> trials do not depend on the order in which trials are offered, the
/// population rebuilt from a stored history equals the one reached incrementally, whatever order workers finished in.
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

    /// <summary>Builds the population of a history: its best complete trials. O(n) for n trials (in practice; O(n * size) at worst).</summary>
    public static GeneticPopulation FromHistory(EncodedHistory history, int size)
    {
        var population = new GeneticPopulation(size);
        foreach (EncodedTrial t in history.Trials)
        {
            population.Add(t);
        }

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
        if (members.Count == Size && Compare(trial, members[^1]) >= 0)
        {
            return; // not better than the worst member: the common case once the population has converged
        }

        int index = members.Count;
        while (index > 0 && Compare(trial, members[index - 1]) < 0)
        {
            index--;
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
