using System.Globalization;
using Hpo.Registries;
using Hpo.Tuners;
using Hpo.Tuners.GaussianProcess;

namespace Hpo.Benchmarks.Suite;

/// <summary>
/// Issue 13's diagnosis: with <c>HPO_GP_DIAG</c> set (e.g. <c>transform=none;trust=off</c>, see
/// <see cref="GaussianProcessDiagnostics.Parse"/>) the suite's <c>gp</c> tuner runs with those parts of its design switched;
/// with <c>HPO_GP_DIAG_LOG</c> set to a file, every model-based proposal appends <c>function seed trial transform region-side centre= ls= next=</c> to it (unit cube; lengthscales of the heaviest model).
/// Without either the tuner is the registered default.
/// </summary>
internal static class GpDiagnostics
{
    private static readonly object LogLock = new();

    /// <summary>Creates the tuner named <paramref name="tuner"/>, switched as the environment says when it is <c>gp</c>.</summary>
    /// <param name="tuner">The registered name.</param>
    /// <param name="function">The function's name (for the log).</param>
    /// <param name="seed">The seed (for the log).</param>
    /// <returns>The tuner.</returns>
    public static ITuner Create(string tuner, string function, int seed)
    {
        string? spec = Environment.GetEnvironmentVariable("HPO_GP_DIAG");
        string? log = Environment.GetEnvironmentVariable("HPO_GP_DIAG_LOG");
        if (tuner != GaussianProcessTuner.TunerName || (string.IsNullOrEmpty(spec) && string.IsNullOrEmpty(log)))
        {
            return TunerRegistry.Default.Create(tuner);
        }

        GaussianProcessDiagnostics diagnostics = GaussianProcessDiagnostics.Parse(spec ?? string.Empty);
        if (!string.IsNullOrEmpty(log))
        {
            diagnostics = diagnostics with
            {
                OnProposal = trace =>
                {
                    string line = string.Create(
                        CultureInfo.InvariantCulture,
                        $"{function} {seed} {trace.Trial} {trace.Transform} trend={trace.TrendWeight:0.###} {trace.RegionLength:R} centre={string.Join(',', trace.Centre.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)))} ls={string.Join(',', trace.LogLengthscales.Select(v => Math.Exp(v).ToString("0.###", CultureInfo.InvariantCulture)))} next={string.Join(',', trace.Proposal.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)))}\n");
                    lock (LogLock)
                    {
                        File.AppendAllText(log, line);
                    }
                },
            };
        }

        return new GaussianProcessTuner(new GaussianProcessTunerOptions { Diagnostics = diagnostics });
    }
}
