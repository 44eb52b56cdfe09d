namespace Hpo.Tuners.GaussianProcess;

// TEMPORARY diagnostics hook; removed before the final commit.
internal static class GpExperiment
{
    public static Action<string>? Log;
    public static int Starts = 2;
    public static double FitTol = 1e-9;
    public static int FitIter = 100;
}
