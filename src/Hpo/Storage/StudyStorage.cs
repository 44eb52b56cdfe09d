using Hpo.Internal;

namespace Hpo.Storage;

/// <summary>
/// The storage URLs' secrets: masks the credentials of a URL or connection string for logs and messages, and finds them so that a
/// program can mask them wherever they show up. Storages are opened from URLs by <c>Hpo.Registries.StorageRegistry</c>.
/// </summary>
public static class StudyStorage
{
    /// <summary>
    /// Masks the credentials of a storage URL (or of a message quoting one) for logs and messages: the URL's password, password-like
    /// query options and <c>Password=</c> pairs become <c>***</c>.
    /// </summary>
    /// <param name="text">A storage URL, a connection string, or a message that quotes them.</param>
    /// <returns>The text without its credentials.</returns>
    public static string Redact(string? text) => Secrets.Redact(text);

    /// <summary>What <see cref="Redact"/> puts in place of a credential.</summary>
    public const string SecretMask = Secrets.Mask;

    /// <summary>
    /// Gets the credentials a storage URL or connection string holds (as written, and percent-decoded), so that a program that was given
    /// them can mask them wherever they show up later, even quoted by another library. Credentials shorter than four characters are
    /// left out (masking every occurrence would garble the text); <see cref="Redact"/> still masks them in URLs.
    /// </summary>
    /// <param name="text">A URL or a connection string.</param>
    /// <returns>The credentials.</returns>
    public static IReadOnlyList<string> FindSecrets(string? text) => Secrets.Find(text);
}
