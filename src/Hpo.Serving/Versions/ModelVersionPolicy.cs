using System.Globalization;

namespace Hpo.Serving.Versions;

/// <summary>
/// Which versions of a model the server loads, as TensorFlow Serving's <c>model_version_policy</c>: the newest
/// <see cref="Count"/> (latest, the default: 1), all of them, or a given list.
/// </summary>
/// <remarks>Added in 0.2.</remarks>
public sealed record ModelVersionPolicy
{
    private ModelVersionPolicy(string kind, int count, IReadOnlyList<long> versions)
    {
        Kind = kind;
        Count = count;
        Versions = versions;
    }

    /// <summary>Gets the policy's kind: <c>latest</c>, <c>all</c> or <c>specific</c>.</summary>
    public string Kind { get; }

    /// <summary>Gets how many of the newest versions a <c>latest</c> policy loads.</summary>
    public int Count { get; }

    /// <summary>Gets the versions a <c>specific</c> policy loads.</summary>
    public IReadOnlyList<long> Versions { get; }

    /// <summary>Loads the newest <paramref name="count"/> loadable versions.</summary>
    /// <param name="count">How many (at least 1).</param>
    /// <returns>The policy.</returns>
    public static ModelVersionPolicy Latest(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new("latest", count, []);
    }

    /// <summary>Loads every version.</summary>
    /// <returns>The policy.</returns>
    public static ModelVersionPolicy All() => new("all", 0, []);

    /// <summary>Loads the given versions (those that exist).</summary>
    /// <param name="versions">The versions (each at least 1).</param>
    /// <returns>The policy.</returns>
    public static ModelVersionPolicy Specific(params IEnumerable<long> versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        long[] list = [.. versions.Distinct().Order()];
        if (list.Length == 0 || list[0] < 1)
        {
            throw new ArgumentException($"'versions' must hold at least one version, each at least 1, but got [{string.Join(", ", list)}].", nameof(versions));
        }

        return new("specific", 0, list);
    }

    /// <summary>Parses <c>latest</c>, <c>latest:N</c>, <c>all</c> or <c>specific:V1,V2,…</c>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="FormatException">The text is none of these.</exception>
    public static ModelVersionPolicy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(':', 2);
        switch (parts[0])
        {
            case "latest" when parts.Length == 1:
                return Latest();
            case "latest" when int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1:
                return Latest(n);
            case "all" when parts.Length == 1:
                return All();
            case "specific" when parts.Length == 2:
                long[] versions = [.. parts[1].Split(',').Select(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long x) && x >= 1 ? x : 0)];
                if (versions.All(v => v >= 1))
                {
                    return Specific(versions);
                }

                break;
        }

        throw new FormatException($"The version policy must be 'latest', 'latest:N' (N at least 1), 'all' or 'specific:V1,V2,…' (versions at least 1), but got '{text}'.");
    }

    /// <summary>Chooses the versions to serve among the loadable ones.</summary>
    /// <param name="loadable">The versions that exist and have not failed to load, ascending.</param>
    /// <returns>The versions to serve.</returns>
    public IReadOnlyList<long> Choose(IReadOnlyList<long> loadable)
    {
        ArgumentNullException.ThrowIfNull(loadable);
        return Kind switch
        {
            "latest" => [.. loadable.TakeLast(Count)],
            "all" => loadable,
            _ => [.. loadable.Where(Versions.Contains)],
        };
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        "latest" => Count == 1 ? "latest" : $"latest:{Count}",
        "all" => "all",
        _ => "specific:" + string.Join(",", Versions),
    };
}
