namespace Hpo.Serving.Versions;

/// <summary>What the catalog needs of the server's options, taken once when the server is built (the options stay above).</summary>
/// <param name="ModelBasePath">The repository's root folder.</param>
/// <param name="ModelName">The one model served, or <see langword="null"/> for every model of the repository.</param>
/// <param name="PollInterval">How often the repository is scanned.</param>
/// <param name="VersionPolicy">Which versions are served.</param>
/// <param name="PoolSize">Predictors per loaded version.</param>
/// <param name="WarmupPredictions">Predictions run on a version before it serves.</param>
/// <param name="UnloadGracePeriod">How long a retired version stays loaded for the requests in flight.</param>
internal sealed record CatalogSettings(
    string ModelBasePath,
    string? ModelName,
    TimeSpan PollInterval,
    ModelVersionPolicy VersionPolicy,
    int PoolSize,
    int WarmupPredictions,
    TimeSpan UnloadGracePeriod);
