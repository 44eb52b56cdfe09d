using System.Text;
using System.Text.Json;

namespace Hpo.Benchmarks.Suite;

/// <summary>The outcome of one (function, tuner, seed) run: one line of the suite's JSONL output.</summary>
/// <param name="Function">The function's name.</param>
/// <param name="Sampler">The tuner, as <c>hpo.NAME</c>.</param>
/// <param name="Seed">The study's seed.</param>
/// <param name="BestSoFar">The best value after trials 1..budget, in trial order.</param>
/// <param name="FinalRegret">The last best value minus f*.</param>
/// <param name="WallSeconds">The wall time of the whole optimisation.</param>
/// <param name="PerTrialOverheadMs">(Wall time − time inside the function) / budget, in milliseconds.</param>
/// <param name="Budget">The function's budget.</param>
/// <param name="FStar">The function's minimum.</param>
public sealed record SuiteResult(
    string Function,
    string Sampler,
    int Seed,
    IReadOnlyList<double> BestSoFar,
    double FinalRegret,
    double WallSeconds,
    double PerTrialOverheadMs,
    int Budget,
    double FStar)
{
    /// <summary>Writes the result as one JSON object, with the suite's field names and order, and no line break.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("function", Function);
            w.WriteString("sampler", Sampler);
            w.WriteNumber("seed", Seed);
            w.WriteStartArray("best_so_far");
            foreach (double v in BestSoFar)
            {
                w.WriteNumberValue(v);
            }

            w.WriteEndArray();
            w.WriteNumber("final_regret", FinalRegret);
            w.WriteNumber("wall_s", WallSeconds);
            w.WriteNumber("per_trial_overhead_ms", PerTrialOverheadMs);
            w.WriteNumber("budget", Budget);
            w.WriteNumber("f_star", FStar);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
