using System.Globalization;
using System.Text;
using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Tuners.GaussianProcess;

/// <summary>
/// Gaussian-process Bayesian optimization: the centre of the space and a scrambled Sobol design for the first trials, then
/// a GP with a Matern-5/2 ARD kernel fitted by maximum a posteriori and a log-expected-improvement acquisition maximized
/// over the whole mixed space.
/// </summary>
/// <remarks>
/// <para>
/// <b>Startup design.</b> Trial 0 (when the tuner proposes it) is the centre of the unit cube, the space's default
/// configuration as HPO tools use it: the midpoint of a linear range, the geometric mean of a log range, the middle value
/// of an integer or categorical parameter (the convention of SMAC's default configuration first, CMA-ES's start and
/// unscrambled quasi-random sequences).
/// The other startup trials are the points of a scrambled Sobol sequence at their trial numbers. On the design functions
/// the centre helped most where the optimum lies near it and cost nothing measurable elsewhere (benchmarks/README.md,
/// fifth pass); it is one trial of the design, so a space whose centre is poor loses one trial.
/// </para>
/// <para>
/// <b>Inputs.</b> The tuner works in the unit-cube encoding of the space: log parameters in log space; integers and stepped
/// floats at the centres of equal-width bins (bounds widened by half a step); categoricals through a Hamming-distance kernel
/// term. Inactive conditional parameters take a fixed filler value, so they cannot poison the model (see
/// <c>GaussianProcessSpace</c>).
/// </para>
/// <para>
/// <b>Outputs.</b> Values are oriented for minimization, infinities are clipped to the finite extremes, and the values are
/// modelled through two monotone transforms, weighed by the data at each hyperparameter fit: none (standardized) and a
/// fitted Yeo-Johnson warp. Each is fitted and scored by the leave-one-out predictive density its model gives the raw
/// values (the density of the transformed targets times the transform's Jacobian, so that both are judged on the same
/// data); the acquisition is the mixture of the two models' expected improvements weighted by exp(score) (pseudo-Bayesian
/// model averaging, Yao et al., 2018), a model whose weight is below 1% of the best one's being left out. Averaging, not
/// the argmax of the second pass: the scores of the two are often close and the choice flipped from refit to refit, and on
/// the design functions the average was at least as good as either transform forced (benchmarks/README.md). Each posterior
/// is computed on its own transform, recomputed on the targets it models, with the output scale refitted to them (the
/// lengthscales and the signal-to-noise ratio stay as fitted), so that the hyperparameters and the posterior describe the
/// same targets. (A Gaussian copula of the ranks, the second pass's third candidate, is left out: forced, it was the worst
/// on every design function, and its piecewise-linear Jacobian is steepest where the data cluster, which flatters its score.)
/// </para>
/// <para>
/// <b>Model.</b> A constant prior mean estimated by generalized least squares (so that far from the data the model expects
/// a typical value, not the average of a cluster of good ones), and, once there are at least twice as many observations as
/// its 2m + 1 coefficients (m numeric features), a per-coordinate quadratic trend b0 + sum b_i x_i + sum c_i x_i^2 as a
/// second candidate mean (<see cref="TrendMean"/>): a bowl with local structure, which a stationary model with short
/// lengthscales cannot extrapolate. The trend's coefficients are profiled out by generalized least squares and its kernel
/// hyperparameters fitted by the restricted likelihood (REML: with up to 2m + 1 coefficients the profile likelihood would
/// underestimate the output scale and overfit the trend); its posterior is universal kriging (the variance includes the
/// coefficients' estimation term) and its leave-one-out density re-estimates the coefficients without each point (Dubrule,
/// 1983), so that it does not score points it was fitted on. The means are crossed with the transforms and averaged by the
/// same evidence: on data without a bowl the trend gets no weight by itself. Lengthscales ~ LogNormal(sqrt 2 + ln(d)/2, sqrt 3) (Hvarfner
/// et al., 2024), output scale ~ LogNormal(0, 1), noise variance ~ LogNormal(-5, 2) above a floor of 1e-10 (1e-12 with
/// <see cref="GaussianProcessTunerOptions.DeterministicObjective"/>); the MAP estimate is found by L-BFGS-B from two starts:
/// the prior modes, run to convergence, then long lengthscales, which go on past 10 iterations only while within one unit of
/// log posterior of the first.
/// </para>
/// <para>
/// <b>Cost.</b> The hyperparameters are refitted (once per transform) on a prefix of the history whose size follows 1, 2,
/// ..., 20, then grows by 10% (so about every tenth trial late in a study), and a fit is cached by its exact data: between
/// refits a proposal costs two factorizations per model in the mixture (one or two) and the acquisition search. Fits use at most 200 observations (the best half and an even spread of the
/// rest) and the posterior at most 600, so the cost per proposal and the memory stay bounded however long the study runs.
/// The dense kernels are blocked and vectorized (the candidates are scored a vector of them at a time); they, the
/// acquisition search and the optimizer are compiled fully optimized from their first call, so a fresh process proposes
/// quickly too.
/// </para>
/// <para>
/// <b>Acquisition.</b> LogEI (Ament et al., 2023) with its stable tail, maximized from the best Sobol candidates and
/// perturbations of the incumbents by L-BFGS-B on the continuous coordinates alternated with coordinate search on the
/// discrete ones. The incumbent is the observation with the lowest posterior mean (under the model with the largest
/// weight), so a lucky draw of a noisy objective does not set the bar. The search is bounded by a trust region around the
/// incumbent whose side follows TuRBO's rule (Eriksson et al., 2019): it grows after successes and shrinks after failures in
/// a row, and starts again at its initial size once it is very small; its shape follows the fitted lengthscales. The model
/// behind it is always the global model of every observation, so a shrinking region refines the incumbent's basin (what the
/// first passes' endgame did by a fixed 20% of the budget and a 0.1 box, now gone) and a restart of the region keeps everything
/// known. The trend's minimiser and the incumbent with one coordinate moved to it (<see cref="TrendCandidates"/>) are scored
/// by the same acquisition beside the region's optimum, so a bowl's bottom beyond the region is proposed when the model
/// expects more there. Nothing depends on the horizon, so an open-ended study proposes what a budgeted one does. A proposal that
/// repeats a trial already in the history is skipped for the next best point; in a finite space that is not exhausted, an
/// unseen point is drawn instead.
/// </para>
/// <para>
/// <b>History.</b> Complete trials are observations. Pruned trials are left out: their value is the last intermediate
/// value, measured earlier in training than a final result, and for a loss usually above what the trial would have
/// reached, so it is neither the result nor a bound on it; modelled as a result it would teach the model that whole regions
/// are worse (or better) than they are. They are kept as seen points, so they are not proposed again. Failed trials are left
/// out (a failure says nothing about the objective's value). Running and waiting trials with parameters enter the
/// posterior at the incumbent's posterior mean (a constant liar), which flattens the acquisition where another worker is
/// already looking, so concurrent workers do not propose the same point. <see cref="Recommend"/> names the complete trial
/// with the lowest posterior mean (the study's <c>GetRecommendedTrialAsync</c>).
/// </para>
/// <para>
/// <b>Determinism.</b> A proposal is a function of the context alone: randomness comes from a generator seeded by the seed
/// and the trial number (the startup design's scramble from the seed alone), every computation runs in a fixed order, and
/// the fit cache returns only what a fit of the same data returns, so the same history gives the same proposal in any
/// process on the same machine. Thread-safe.
/// </para>
/// </remarks>
public sealed class GaussianProcessTuner : TunerBase
{
    /// <summary>The name this tuner is registered under.</summary>
    public const string TunerName = "gp";

    private const int MaxFitPoints = 200;
    private const int MaxModelPoints = 600;
    private const int MaxPendingPoints = 200;
    private const int FitIterations = 100;
    private const long EnumerationLimit = 200_000;

    private const double NoiseFloor = 1e-10;
    private const double MinWeight = 0.01;
    private const double DeterministicNoiseFloor = 1e-12;

    // The Gaussian copula is left out: forced, it was the worst transform on every design function (benchmarks/README.md), and
    // its leave-one-out score is optimistic (the piecewise-linear Jacobian is steepest where the data cluster, at the best values).
    private static readonly TargetTransform[] Transforms = [TargetTransform.None, TargetTransform.Warp];

    private readonly GaussianProcessTunerOptions options;
    private readonly HyperparameterCache cache = new();

    /// <summary>Initializes a new instance of the <see cref="GaussianProcessTuner"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults. They are copied and validated.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message lists each problem.</exception>
    public GaussianProcessTuner(GaussianProcessTunerOptions? options = null)
    {
        this.options = (options ?? new GaussianProcessTunerOptions()).Clone();
        this.options.Validate();
    }

    /// <inheritdoc/>
    public override string Name => TunerName;

    /// <inheritdoc/>
    public override string Settings => options.ToJson();

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, object> Propose(TunerContext context)
    {
        (UnitCubeEncoding encoding, int seed, Random random) = SeededProposal.Begin(context, options.Seed);
        GaussianProcessSpace space = GaussianProcessSpace.For(encoding);
        bool maximize = context.Direction == StudyDirection.Maximize;

        var observed = new List<double[]>();
        var values = new List<double>();
        var pending = new List<double[]>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (TrialRecord t in context.Trials)
        {
            if (t.Parameters.Count == 0)
            {
                continue;
            }

            seen.Add(Key(encoding.ToInternals(t.Parameters)));
            switch (t.State)
            {
                case TrialState.Complete:
                    if (t.Value is double v && !double.IsNaN(v))
                    {
                        observed.Add(encoding.Encode(t.Parameters));
                        values.Add(maximize ? -v : v);
                    }

                    break;
                case TrialState.Running:
                case TrialState.Waiting:
                    pending.Add(encoding.Encode(t.Parameters));
                    break;
                default:
                    break; // failed: no value to learn from; pruned: see the remarks (History)

            }
        }

        if (observed.Count < options.StartupTrials)
        {
            var point = new double[space.Dimensions];
            if (context.TrialNumber == 0)
            {
                // The first trial is the centre of the box (see the remarks: Startup design).
                Array.Fill(point, 0.5);
            }
            else
            {
                var sobol = new SobolSequence(space.Dimensions, new Random(TunerContext.DeriveSeed(seed, -1)));
                sobol.Point(context.TrialNumber % (1L << 32), point);
            }

            return Finish(encoding, point, seen, random);
        }

        return Finish(encoding, ProposeFromModel(space, observed, values, pending, seen, random, context.TrialNumber), seen, random);
    }

    /// <summary>
    /// Gets the number of observations (a prefix of the history) the hyperparameters are fitted on when there are
    /// <paramref name="count"/>: all of them up to 20, then the last size of the series 20, 22, 24, ... that grows by 10%.
    /// </summary>
    internal static int RefitSize(int count)
    {
        if (count <= 20)
        {
            return count;
        }

        int size = 20;
        while (true)
        {
            int next = Math.Max(size + 1, (int)(size * 1.1));
            if (next > count)
            {
                return size;
            }

            size = next;
        }
    }

    /// <summary>
    /// A posterior built for one proposal or recommendation: the models of the output transforms the data support, with their
    /// weights and incumbent targets (each in its own units); the first is the one with the largest weight, whose posterior
    /// means rank the observations.
    /// </summary>
    private sealed record Posterior(GaussianProcessModel[] Models, double[] Weights, double[] Bests, GpHyperparameters Hyperparameters, TargetTransform Transform, int[] ObservationIndex, double[][] Points, double[] Means)
    {
        public double Best => Bests[0];
    }

    /// <summary>
    /// Builds the posterior: the observations (all of them up to <see cref="MaxModelPoints"/>) through each output transform
    /// the data support (see <see cref="Mixture"/>), recomputed on exactly these targets, with the fitted lengthscales and
    /// signal-to-noise ratio and the output scale refitted to these targets (so that hyperparameters and posterior describe
    /// the same targets); plus the pending trials at the incumbent's posterior mean (a constant liar). The incumbent is the
    /// observation with the lowest posterior mean, not the lowest (perhaps lucky) observed value.
    /// </summary>
    private Posterior BuildPosterior(GaussianProcessSpace space, List<double[]> observed, List<double> rawValues, List<double[]> pending, bool refitAll)
    {
        int d = space.Dimensions;
        int numeric = space.Numeric;
        var activeScratch = new bool[d];

        List<(GpHyperparameters Hyperparameters, TargetTransform Transform, double Weight)> mixture = Mixture(space, observed, rawValues, refitAll);

        int nPending = Math.Min(pending.Count, MaxPendingPoints);
        int[] modelIndex = Subset(rawValues, MaxModelPoints - nPending);
        int nObs = modelIndex.Length;
        var modelRaw = new double[nObs];
        for (int i = 0; i < nObs; i++)
        {
            modelRaw[i] = rawValues[modelIndex[i]];
        }

        var points = new double[nObs][];
        var features = new double[(nObs + nPending) * d];
        for (int i = 0; i < nObs; i++)
        {
            points[i] = space.ToPoint(observed[modelIndex[i]], GaussianProcessSpace.NumericFiller);
            space.Features(points[i], features.AsSpan(i * d, d), activeScratch);
        }

        for (int i = 0; i < nPending; i++)
        {
            double[] point = space.ToPoint(pending[pending.Count - nPending + i], GaussianProcessSpace.NumericFiller);
            space.Features(point, features.AsSpan((nObs + i) * d, d), activeScratch);
        }

        var models = new GaussianProcessModel[mixture.Count];
        var weights = new double[mixture.Count];
        var bests = new double[mixture.Count];
        double[] firstMeans = [];
        GpHyperparameters firstHyper = mixture[0].Hyperparameters;
        for (int k = 0; k < mixture.Count; k++)
        {
            (GpHyperparameters hyper, TargetTransform kind, double weight) = mixture[k];
            double[] y = OutputTransform.Apply(modelRaw, kind, default);

            // The amplitude fitted to these targets, on the observations alone.
            GaussianProcessModel model = GaussianProcessModel.Create(features, nObs, d, numeric, y, hyper);
            double factor = model.AmplitudeFactor(y);
            if (double.IsFinite(factor) && factor > 0.0 && Math.Abs(Math.Log(factor)) > 1e-3)
            {
                hyper = hyper.Rescaled(factor);
                model = GaussianProcessModel.Create(features, nObs, d, numeric, y, hyper);
            }

            var means = new double[nObs];
            model.TrainingMeans(y, Math.Exp(hyper.LogNoise), nObs, means);
            double bestY = double.PositiveInfinity;
            foreach (double v in means)
            {
                bestY = Math.Min(bestY, v);
            }

            if (nPending > 0)
            {
                var modelY = new double[nObs + nPending];
                y.CopyTo(modelY, 0);
                for (int i = 0; i < nPending; i++)
                {
                    modelY[nObs + i] = bestY;
                }

                model = GaussianProcessModel.Create(features, nObs + nPending, d, numeric, modelY, hyper);
            }

            models[k] = model;
            weights[k] = weight;
            bests[k] = bestY;
            if (k == 0)
            {
                firstMeans = means;
                firstHyper = hyper;
            }
        }

        return new Posterior(models, weights, bests, firstHyper, mixture[0].Transform, modelIndex, points, firstMeans);
    }

    private double[] ProposeFromModel(GaussianProcessSpace space, List<double[]> observed, List<double> rawValues, List<double[]> pending, HashSet<string> seen, Random random, int trialNumber)
    {
        Posterior posterior = BuildPosterior(space, observed, rawValues, pending, refitAll: false);

        // Incumbents: the distinct observations with the best posterior means.
        int nObs = posterior.Points.Length;
        int[] order = [.. Enumerable.Range(0, nObs).OrderBy(i => posterior.Means[i]).ThenBy(i => i)];
        var incumbents = new List<double[]>();
        foreach (int i in order)
        {
            if (incumbents.Count >= 3)
            {
                break;
            }

            if (!incumbents.Exists(p => p.AsSpan().SequenceEqual(posterior.Points[i])))
            {
                incumbents.Add(posterior.Points[i]);
            }
        }

        GaussianProcessDiagnostics diagnostics = options.Diagnostics;
        double length = TrustRegionLength(rawValues, options.StartupTrials, space.Relaxed.Length);
        (double[] Lower, double[] Upper)? region = incumbents.Count > 0 && diagnostics.TrustRegion
            ? TrustRegion(space, incumbents[0], observed[posterior.ObservationIndex[order[0]]], posterior.Hyperparameters, length)
            : null;
        var acquisition = new AcquisitionOptimizer(space, posterior.Models, posterior.Bests, posterior.Weights);
        List<(double[] Point, double Value)> results = acquisition.Optimize(incumbents, options.Candidates, options.Restarts, random, region);
        if (incumbents.Count > 0)
        {
            // The trend's candidates beyond the region enter by the same acquisition (TrendCandidates).
            foreach (double[] candidate in TrendCandidates.For(space, posterior.Models, posterior.Weights, incumbents[0]))
            {
                results.Add((candidate, acquisition.Value(candidate)));
            }

            results = [.. results.OrderByDescending(r => r.Value)]; // stable: the region's optimum first on a tie
        }

        double[] proposal = results[0].Point;
        foreach ((double[] point, _) in results)
        {
            if (!seen.Contains(Key(space.Encoding.DecodeInternals(point))))
            {
                proposal = point;
                break;
            }
        }

        diagnostics.OnProposal?.Invoke(new GpProposalTrace(trialNumber, posterior.Transform, region is null ? 0.0 : length, incumbents.Count > 0 ? incumbents[0] : [], posterior.Hyperparameters.LogLengthscales, proposal)
        {
            TrendWeight = posterior.Weights.Where((_, k) => posterior.Models[k].MeanCoefficients.Length > 1).Sum() / posterior.Weights.Sum(),
        });
        return proposal;
    }

    /// <summary>
    /// Gets the side of the trust region (unit cube) after the observations so far, as TuRBO adapts it (Eriksson et al., 2019):
    /// it starts at 0.8 after the startup design, doubles (up to 1.6) after 3 successes in a row (an observation that improves
    /// the best value by more than 1e-3 of its magnitude) and halves after max(4, d) failures in a row; below 0.5^7 it starts
    /// again at 0.8. A function of the values alone, so a proposal stays a function of the history.
    /// </summary>
    /// <param name="values">The modelled values, oriented for minimization, in trial order.</param>
    /// <param name="startupTrials">The size of the startup design (not counted).</param>
    /// <param name="continuous">The number of continuous coordinates.</param>
    /// <returns>The side.</returns>
    internal static double TrustRegionLength(IReadOnlyList<double> values, int startupTrials, int continuous)
    {
        const double Initial = 0.8;
        const double Max = 1.6;
        const double Min = 0.0078125;
        int failLimit = Math.Max(4, continuous);
        double length = Initial;
        double best = double.PositiveInfinity;
        int successes = 0;
        int failures = 0;
        for (int i = 0; i < values.Count; i++)
        {
            double v = values[i];

            if (i >= startupTrials)
            {
                if (v < best - (1e-3 * Math.Abs(best)))
                {
                    successes++;
                    failures = 0;
                }
                else
                {
                    failures++;
                    successes = 0;
                }

                if (successes == 3)
                {
                    length = Math.Min(2.0 * length, Max);
                    successes = 0;
                }
                else if (failures == failLimit)
                {
                    length /= 2.0;
                    failures = 0;
                    if (length < Min)
                    {
                        length = Initial;
                    }
                }
            }

            best = Math.Min(best, v);
        }

        return length;
    }

    /// <summary>
    /// Gets the trust region around <paramref name="center"/>: on each continuous coordinate a side of
    /// <paramref name="length"/> times the coordinate's lengthscale over their geometric mean (TuRBO's shape), within the cube.
    /// A coordinate that is inactive at the centre (a conditional parameter whose parent takes another value there) stays
    /// free, so that a proposal that switches the parent can place it anywhere.
    /// </summary>
    internal static (double[] Lower, double[] Upper) TrustRegion(GaussianProcessSpace space, double[] center, ReadOnlySpan<double> centerEncoded, GpHyperparameters hyper, double length)
    {
        int d = space.Dimensions;
        var lower = new double[d];
        var upper = new double[d];
        Array.Fill(upper, 1.0);
        int[] relaxed = space.Relaxed;
        if (relaxed.Length == 0)
        {
            return (lower, upper);
        }

        double meanLog = 0.0;
        foreach (int i in relaxed)
        {
            meanLog += hyper.LogLengthscales[i];
        }

        meanLog /= relaxed.Length;
        foreach (int i in relaxed)
        {
            if (double.IsNaN(centerEncoded[i]))
            {
                continue;
            }

            double half = 0.5 * length * Math.Exp(hyper.LogLengthscales[i] - meanLog);
            lower[i] = Math.Max(0.0, center[i] - half);
            upper[i] = Math.Min(1.0, center[i] + half);
        }

        return (lower, upper);
    }

    /// <summary>
    /// Recommends the complete trial with the lowest posterior mean under the model of every complete trial (fitted on all of
    /// them): on a noisy objective a better estimate of the best point than the best observed value, which is biased towards
    /// lucky draws. Before the model has its startup design, and for a single observation, the best observed value.
    /// </summary>
    /// <param name="context">The context; its trials are the history.</param>
    /// <returns>The recommended trial, or <see langword="null"/> when none is complete.</returns>
    public override TrialRecord? Recommend(TunerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        UnitCubeEncoding encoding = context.Encoding;
        bool maximize = context.Direction == StudyDirection.Maximize;
        var trials = new List<TrialRecord>();
        var observed = new List<double[]>();
        var values = new List<double>();
        foreach (TrialRecord t in context.Trials)
        {
            if (t.State == TrialState.Complete && t.Parameters.Count > 0 && t.Value is double v && !double.IsNaN(v))
            {
                trials.Add(t);
                observed.Add(encoding.Encode(t.Parameters));
                values.Add(maximize ? -v : v);
            }
        }

        if (trials.Count < Math.Max(2, options.StartupTrials))
        {
            return base.Recommend(context);
        }

        Posterior posterior = BuildPosterior(GaussianProcessSpace.For(encoding), observed, values, [], refitAll: true);
        int best = 0;
        for (int i = 1; i < posterior.Means.Length; i++)
        {
            if (posterior.Means[i] < posterior.Means[best])
            {
                best = i;
            }
        }

        return trials[posterior.ObservationIndex[best]];
    }

    /// <summary>
    /// Fits (or finds in the cache) the hyperparameters on the first <see cref="RefitSize"/> observations, once for each
    /// candidate output transform (none and the Yeo-Johnson warp by default), and returns the fit and the transform with
    /// the highest leave-one-out predictive density of the raw values: the density of the transformed targets plus the log
    /// Jacobian of the transform, so that the transforms are compared on the same data. A prefix of the history changes
    /// only every few trials, so a fit is a function of its data alone and the cache serves the trials in between. With
    /// <paramref name="refitAll"/> (a recommendation, which ranks every observation by its posterior mean) the chosen
    /// transform is then refitted on every observation.
    /// </summary>
    internal (GpHyperparameters Hyperparameters, TargetTransform Transform) Hyperparameters(GaussianProcessSpace space, List<double[]> observed, List<double> rawValues, bool refitAll)
    {
        (GpHyperparameters hyper, TargetTransform kind, _) = FitAll(space, observed, rawValues, RefitSize(rawValues.Count), CandidateTransforms)[0];
        return refitAll && RefitSize(rawValues.Count) < rawValues.Count
            ? (FitAll(space, observed, rawValues, rawValues.Count, [kind], hyper.Trend)[0].Hyperparameters, kind)
            : (hyper, kind);
    }

    /// <summary>
    /// Gets the output transforms to model with and their weights, largest first. Each candidate transform is fitted (see
    /// <see cref="Hyperparameters"/>); with <see cref="GaussianProcessDiagnostics.Average"/> every transform whose weight
    /// exp(score - best score) (pseudo-Bayesian model averaging by the leave-one-out predictive density, Yao et al. 2018) is
    /// at least <see cref="MinWeight"/> is kept, otherwise only the best one.
    /// </summary>
    internal List<(GpHyperparameters Hyperparameters, TargetTransform Transform, double Weight)> Mixture(GaussianProcessSpace space, List<double[]> observed, List<double> rawValues, bool refitAll)
    {
        int m = RefitSize(rawValues.Count);
        List<(GpHyperparameters Hyperparameters, TargetTransform Transform, double Score)> fits = FitAll(space, observed, rawValues, m, CandidateTransforms);
        double top = fits[0].Score;
        var result = new List<(GpHyperparameters Hyperparameters, TargetTransform Transform, double Weight)>();
        foreach ((GpHyperparameters hyper, TargetTransform kind, double score) in fits)
        {
            double weight = double.IsFinite(score - top) ? Math.Exp(score - top) : 0.0;
            if (result.Count > 0 && (!options.Diagnostics.Average || weight < MinWeight))
            {
                continue;
            }

            GpHyperparameters h = refitAll && m < rawValues.Count ? FitAll(space, observed, rawValues, rawValues.Count, [kind], hyper.Trend)[0].Hyperparameters : hyper;
            result.Add((h, kind, result.Count == 0 ? 1.0 : weight));
        }

        return result;
    }

    private TargetTransform[] CandidateTransforms => options.Diagnostics.Transforms is { } forced ? [.. forced] : Transforms;

    /// <summary>
    /// Fits each of <paramref name="transforms"/> on the first <paramref name="m"/> observations, crossed with the prior means
    /// (the constant, and the quadratic trend where <see cref="TrendMean.Supported"/>; only the one named by
    /// <paramref name="trend"/> when given); best score first (ties in the given order, the constant before the trend).
    /// </summary>
    private List<(GpHyperparameters Hyperparameters, TargetTransform Transform, double Score)> FitAll(GaussianProcessSpace space, List<double[]> observed, List<double> rawValues, int m, TargetTransform[] transforms, bool? trend = null)
    {
        int d = space.Dimensions;
        double[] prefix = rawValues.GetRange(0, m).ToArray();
        int[] fitIndex = Subset(prefix, MaxFitPoints);
        var x = new double[fitIndex.Length * d];
        var active = new bool[d];
        for (int i = 0; i < fitIndex.Length; i++)
        {
            double[] point = space.ToPoint(observed[fitIndex[i]], GaussianProcessSpace.NumericFiller);
            space.Features(point, x.AsSpan(i * d, d), active);
        }

        double noiseFloor = options.DeterministicObjective ? DeterministicNoiseFloor : NoiseFloor;
        var fits = new List<(GpHyperparameters Hyperparameters, TargetTransform Transform, double Score)>();
        var logDerivative = new double[m];
        foreach (TargetTransform kind in transforms)
        {
            double[] y = OutputTransform.Apply(prefix, kind, logDerivative);
            var fitY = new double[fitIndex.Length];
            double jacobian = 0.0;
            for (int i = 0; i < fitIndex.Length; i++)
            {
                fitY[i] = y[fitIndex[i]];
                jacobian += logDerivative[fitIndex[i]];
            }

            foreach (bool withTrend in (bool[])[false, true])
            {
                if (trend is bool only ? only != withTrend : withTrend && !TrendMean.Supported(fitIndex.Length, space.Numeric))
                {
                    continue;
                }

                GpHyperparameters hyper = Fit(x, fitIndex.Length, d, space.Numeric, fitY, noiseFloor, withTrend);
                double score = hyper.LooLogDensity + jacobian;
                fits.Add((hyper, kind, double.IsNaN(score) ? double.NegativeInfinity : score));
            }
        }

        // Stable: equal scores keep the candidates' order.
        return [.. fits.Select((f, i) => (f, i)).OrderByDescending(t => t.f.Score).ThenBy(t => t.i).Select(t => t.f)];
    }

    private GpHyperparameters Fit(double[] x, int count, int d, int numeric, double[] y, double noiseFloor, bool trend)
    {
        if (cache.TryGet(x, y, numeric, noiseFloor, out GpHyperparameters? cached, trend))
        {
            return cached;
        }

        var fitter = new GaussianProcessFitter(x, count, d, numeric, y, noiseFloor, trend);
        double[] first = fitter.PriorMode();
        double[] second = (double[])first.Clone();
        for (int k = 0; k < d; k++)
        {
            second[k] = fitter.LengthscaleMu;
        }

        GpHyperparameters hyper = fitter.Fit([first, second], FitIterations);
        double loo = fitter.LooLogDensity(hyper);
        hyper = hyper with { LooLogDensity = double.IsNaN(loo) ? double.NegativeInfinity : loo, Trend = trend };
        cache.Add(x, y, numeric, noiseFloor, hyper);
        return hyper;
    }

    private static IReadOnlyDictionary<string, object> Finish(UnitCubeEncoding encoding, double[] point, HashSet<string> seen, Random random)
    {
        double[] internals = encoding.DecodeInternals(point);
        if (!encoding.IsFinite || !seen.Contains(Key(internals)))
        {
            return encoding.ToExternals(internals);
        }

        // A finite space and a repeat: take an unseen point at random while any is left.
        long? total = encoding.CountPoints(EnumerationLimit);
        if (total is long count && seen.Count >= count)
        {
            return encoding.ToExternals(internals);
        }

        var unit = new double[encoding.Dimensions];
        for (int attempt = 0; attempt < 256; attempt++)
        {
            for (int i = 0; i < unit.Length; i++)
            {
                unit[i] = random.NextDouble();
            }

            double[] candidate = encoding.DecodeInternals(unit);
            if (!seen.Contains(Key(candidate)))
            {
                return encoding.ToExternals(candidate);
            }
        }

        if (total is not null)
        {
            var unseen = encoding.EnumeratePoints().Where(p => !seen.Contains(Key(p))).ToList();
            if (unseen.Count > 0)
            {
                return encoding.ToExternals(unseen[random.Next(unseen.Count)]);
            }
        }

        return encoding.ToExternals(internals);
    }

    /// <summary>
    /// Picks at most <paramref name="cap"/> indices: all when there are few enough; otherwise the best half by value and an
    /// even spread (in trial order) of the others. Returned in increasing order.
    /// </summary>
    private static int[] Subset(IReadOnlyList<double> values, int cap)
    {
        int n = values.Count;
        if (n <= cap)
        {
            return Enumerable.Range(0, n).ToArray();
        }

        var byValue = Enumerable.Range(0, n).OrderBy(i => values[i]).ThenBy(i => i).ToArray();
        int bestCount = cap / 2;
        var chosen = new bool[n];
        for (int i = 0; i < bestCount; i++)
        {
            chosen[byValue[i]] = true;
        }

        var rest = Enumerable.Range(0, n).Where(i => !chosen[i]).ToArray();
        int restCount = cap - bestCount;
        for (int j = 0; j < restCount; j++)
        {
            chosen[rest[(int)((long)j * rest.Length / restCount)]] = true;
        }

        return Enumerable.Range(0, n).Where(i => chosen[i]).ToArray();
    }

    private static string Key(double[] internals)
    {
        var sb = new StringBuilder(internals.Length * 8);
        foreach (double v in internals)
        {
            sb.Append(double.IsNaN(v) ? "-" : v.ToString("R", CultureInfo.InvariantCulture)).Append('|');
        }

        return sb.ToString();
    }
}
