namespace Hpo.Storage.Providers;

/// <summary>
/// Opens the storages of one or more URL schemes (for example <c>postgresql</c> and <c>postgres</c>). Part of the provider kit:
/// register a provider with a storage registry (<c>Hpo.Registries.StorageRegistry.Register</c>), or name it in a
/// <see cref="StudyStorageProviderAttribute"/> on the provider's assembly so that a registry can discover it.
/// </summary>
public interface IStudyStorageProvider
{
    /// <summary>Gets the URL schemes this provider opens, without <c>://</c> (compared ignoring case).</summary>
    IReadOnlyList<string> Schemes { get; }

    /// <summary>Opens the storage a URL of one of <see cref="Schemes"/> names.</summary>
    /// <param name="url">The whole URL, scheme included.</param>
    /// <returns>The storage; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The URL is malformed; the message never quotes a password.</exception>
    IStudyStorage Open(string url);
}
