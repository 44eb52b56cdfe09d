namespace Hpo.Storage;

/// <summary>
/// Hpo's own options in a storage URL's query (<c>?migrate=false</c>, <c>?durability=grouped</c>), taken out before the rest of the
/// URL reaches the provider, so that one reading serves every storage. Part of the provider kit: a provider's URL factory takes them
/// out the same way.
/// </summary>
public static class StorageUrlOptions
{
    /// <summary>The option that stops a storage from creating or upgrading its schema (<c>migrate=false</c>): readers set it.</summary>
    public const string Migrate = "migrate";

    /// <summary>Takes one option out of a URL's query: its value, or <see langword="null"/> when absent (the URL is left without it).</summary>
    /// <param name="url">The URL; on return, without the option.</param>
    /// <param name="name">The option's name (case-insensitive).</param>
    /// <returns>The option's last value, or <see langword="null"/>.</returns>
    public static string? Take(ref string url, string name)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentException.ThrowIfNullOrEmpty(name);
        int q = url.IndexOf('?', StringComparison.Ordinal);
        if (q < 0)
        {
            return null;
        }

        string? found = null;
        var kept = new List<string>();
        foreach (string pair in url[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (pair.StartsWith(name + "=", StringComparison.OrdinalIgnoreCase))
            {
                found = pair[(name.Length + 1)..];
            }
            else
            {
                kept.Add(pair);
            }
        }

        url = kept.Count == 0 ? url[..q] : url[..(q + 1)] + string.Join('&', kept);
        return found;
    }

    /// <summary>Reads <c>migrate=true|false</c>.</summary>
    /// <param name="url">The URL; on return, without the option.</param>
    /// <returns>Whether the storage may create or upgrade its schema (<see langword="true"/> when the option is absent).</returns>
    /// <exception cref="ArgumentException">The value is neither true nor false.</exception>
    public static bool TakeMigrate(ref string url)
    {
        string? value = Take(ref url, Migrate);
        return value is null || (bool.TryParse(value, out bool migrate)
            ? migrate
            : throw new ArgumentException($"The storage URL option '{Migrate}' must be true or false, but got '{value}'.", nameof(url)));
    }

    /// <summary>Adds <c>migrate=false</c> to a URL.</summary>
    /// <param name="url">The URL.</param>
    /// <returns>The URL with the option.</returns>
    public static string WithoutMigration(string url) => url is null ? throw new ArgumentNullException(nameof(url)) : url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + Migrate + "=false";
}
