using System.Globalization;
using Hpo.Storage;

namespace Hpo.Models;

/// <summary>A published version of a model.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Version">The version number.</param>
/// <param name="Directory">The version's folder.</param>
/// <param name="Manifest">Its manifest.</param>
/// <remarks>Added in 0.2.</remarks>
public sealed record ModelVersion(string Name, long Version, string Directory, ModelManifest Manifest);
