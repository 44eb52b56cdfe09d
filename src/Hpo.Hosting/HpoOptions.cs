namespace Hpo.Hosting;

/// <summary>
/// The options of <see cref="HpoServiceCollectionExtensions.AddHpo"/>, bound from the <c>Hpo</c> configuration section
/// (<c>"Hpo": { "Storage": "sqlite:///study.db" }</c>, or the environment variable <c>Hpo__Storage</c>); when no storage is
/// configured there or in code, the <c>HPO_STORAGE</c> environment variable is used, as by the <c>hpo</c> tool.
/// </summary>
public sealed class HpoOptions
{
    /// <summary>The configuration section the options are bound from: <c>Hpo</c>.</summary>
    public const string SectionName = "Hpo";

    /// <summary>The environment variable that holds the storage URL when none is configured: <c>HPO_STORAGE</c>.</summary>
    public const string StorageEnvironmentVariable = "HPO_STORAGE";

    /// <summary>
    /// Gets or sets the storage URL: <c>memory</c>, <c>sqlite:///relative.db</c>, <c>sqlite:////absolute.db</c>,
    /// <c>postgresql://user:password@host/database</c> (with the Hpo.PostgreSql package), optionally with <c>?migrate=false</c>.
    /// It is never logged with its password.
    /// </summary>
    public string? Storage { get; set; }

    /// <summary>Copies these options, as the storage factory of <c>AddHpo</c> reads them once.</summary>
    /// <returns>A copy.</returns>
    internal HpoOptions Clone() => (HpoOptions)MemberwiseClone();
}
