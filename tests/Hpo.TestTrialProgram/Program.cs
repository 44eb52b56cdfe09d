using System.Globalization;
using Hpo.Execution;

// Usage: Hpo.TestTrialProgram <mode> [epochs]
//   train      reports (1 - x)^2 + layers / 10 at each epoch and completes with it; x and layers are parameters, 'optimizer'
//              (a categorical) and 'batch' (an integer) are echoed as attributes to check the types that arrive.
//   echo       completes with 0 and sets one attribute per parameter: "<type>:<invariant value>".
//   stoppable  reports a worsening value every 50 ms until SIGTERM, then says so on stderr and exits with code 0.
var trial = TrialProcess.Current;
string mode = args.Length > 0 ? args[0] : "train";
int epochs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;

switch (mode)
{
    case "train":
    {
        double x = trial.Get<double>("x");
        int layers = trial.Get<int>("layers");
        double value = ((1 - x) * (1 - x)) + (layers / 10.0);
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            Console.WriteLine($"epoch {epoch}: training...");
            trial.Report(epoch, value + (1.0 / epoch));
        }

        trial.SetUserAttribute("optimizer", trial.Get<string>("optimizer"));
        trial.Complete(value);
        return 0;
    }

    case "echo":
        foreach ((string name, object v) in trial.Parameters)
        {
            trial.SetUserAttribute("p." + name, v.GetType().Name + ":" + Convert.ToString(v, CultureInfo.InvariantCulture));
        }

        trial.SetUserAttribute("study", trial.StudyName);
        trial.SetUserAttribute("artifacts", trial.ArtifactsDirectory ?? "-");
        trial.Complete(0);
        return 0;

    case "stoppable":
    {
        CancellationToken stop = trial.StopRequested;
        for (int step = 0; !stop.IsCancellationRequested; step++)
        {
            trial.Report(step, 100 + step);
            try
            {
                await Task.Delay(50, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }

        Console.Error.WriteLine("stopped cleanly after SIGTERM");
        return 0;
    }

    default:
        Console.Error.WriteLine($"unknown mode '{mode}'");
        return 2;
}
