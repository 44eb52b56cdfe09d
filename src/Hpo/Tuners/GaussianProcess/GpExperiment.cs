namespace Hpo.Tuners.GaussianProcess;

// TEMPORARY knobs for tuning experiments; removed before the final commit.
internal static class GpExperiment
{
    public static Action<string>? Log;
    public static bool NoSchedule;
    public static double Endgame = 0.2;
    public static double NoiseMu = -8;
    public static double NoiseSigma = 2;
}
