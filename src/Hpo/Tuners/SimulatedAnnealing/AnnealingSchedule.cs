using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hpo.Studies;

namespace Hpo.Tuners.SimulatedAnnealing;

/// <summary>How the temperature of a <see cref="SimulatedAnnealingTuner"/> falls from its initial to its final value.</summary>
public enum AnnealingSchedule
{
    /// <summary>Geometric cooling: the temperature falls by the same factor at every trial.</summary>
    Exponential = 0,

    /// <summary>Linear cooling: the temperature falls by the same amount at every trial.</summary>
    Linear = 1,
}
